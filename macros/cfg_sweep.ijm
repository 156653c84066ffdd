// CFG sweep: one seed at guidance scales 1, 4, 7.5 and 12, as a labelled montage.
// Arguments: "[model=PATH] out=DIR [seed=S] [size=PX] [steps=K]".
args = getArgument();
model = call("diffusionj.ij.MacroArguments.get", args, "model", "");
out = call("diffusionj.ij.MacroArguments.get", args, "out", getDirectory("temp"));
seed = call("diffusionj.ij.MacroArguments.get", args, "seed", "3");
size = call("diffusionj.ij.MacroArguments.get", args, "size", "0");
steps = call("diffusionj.ij.MacroArguments.get", args, "steps", "20");
scales = newArray(1, 4, 7.5, 12);
setBatchMode(true);
File.makeDirectory(out);
for (i = 0; i < scales.length; i++) {
    run("Generate Image...", "prompt=[a yellow star in the center] negative=[blurry] model=[" + model + "] steps=" + steps
        + " cfg=" + scales[i] + " seed=" + seed + " width=" + size + " height=" + size);
    rename("CFG " + scales[i]);
}
run("Images to Stack", "use");
run("Make Montage...", "columns=" + scales.length + " rows=1 scale=1 label");
saveAs("PNG", out + "/cfg_sweep.png");
print("CFG sweep: " + scales.length + " images -> " + out + "/cfg_sweep.png");
