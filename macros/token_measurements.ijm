// Token masks -> measurements: for each prompt token, the area of its mask (map > threshold) and the mean and
// maximum of its map inside the mask, as a results table saved to CSV.
// Arguments: "[model=PATH] out=DIR [seed=S] [size=PX] [steps=K] [threshold=T]".
args = getArgument();
model = call("diffusionj.ij.MacroArguments.get", args, "model", "");
out = call("diffusionj.ij.MacroArguments.get", args, "out", getDirectory("temp"));
seed = call("diffusionj.ij.MacroArguments.get", args, "seed", "11");
size = call("diffusionj.ij.MacroArguments.get", args, "size", "0");
steps = call("diffusionj.ij.MacroArguments.get", args, "steps", "20");
threshold = call("diffusionj.ij.MacroArguments.get", args, "threshold", "0.4");
setBatchMode(true);
File.makeDirectory(out);
roiManager("reset");
run("Generate Image...", "prompt=[a red circle on the left, a blue square on the right] negative=[blurry] model=[" + model + "] steps=" + steps
    + " seed=" + seed + " width=" + size + " height=" + size + " token threshold=" + threshold);
image = getTitle();
selectImage("Token maps of " + image);
maps = getImageID();
run("Set Measurements...", "area mean min redirect=None decimal=4");
run("Clear Results");
for (i = 0; i < roiManager("count"); i++) {
    selectImage(maps);
    setSlice(i + 1);
    roiManager("select", i);
    name = Roi.getName;
    getStatistics(area, mean, min, max);
    setResult("Token", i, name);
    setResult("Slice label", i, getInfo("slice.label"));
    setResult("Area", i, area);
    setResult("Mean", i, mean);
    setResult("Max", i, max);
}
updateResults();
saveAs("Results", out + "/token_measurements.csv");
print("token measurements: " + nResults + " tokens -> " + out + "/token_measurements.csv");
