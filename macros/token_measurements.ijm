// Token masks -> measurements: for each prompt token, the area of its mask (map > threshold) and the mean and
// maximum of its map inside the mask, as a results table saved to CSV.
// Arguments: "model=DIR out=DIR [seed=S] [size=PX] [steps=K] [threshold=T]".
args = getArgument();
model = option(args, "model", "");
out = option(args, "out", getDirectory("temp"));
seed = option(args, "seed", "11");
size = option(args, "size", "0");
steps = option(args, "steps", "20");
threshold = option(args, "threshold", "0.4");
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

function option(text, key, fallback) {
    parts = split(text, " ");
    for (i = 0; i < parts.length; i++)
        if (startsWith(parts[i], key + "=")) return substring(parts[i], lengthOf(key) + 1);
    return fallback;
}
