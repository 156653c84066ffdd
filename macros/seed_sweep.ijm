// Seed sweep: the same prompt with seeds S..S+N-1, as one montage with the seed under each image.
// Arguments (bin/diffusionj run macros/seed_sweep.ijm "[model=PATH] out=DIR [seed=S] [count=N] [size=PX] [steps=K]"):
// model: a diffusers folder, a .safetensors file or "embedded" (the default); out: folder for montage.png.
args = getArgument();
model = call("diffusionj.ij.MacroArguments.get", args, "model", "");
out = call("diffusionj.ij.MacroArguments.get", args, "out", getDirectory("temp"));
seed = parseInt(call("diffusionj.ij.MacroArguments.get", args, "seed", "1"));
count = parseInt(call("diffusionj.ij.MacroArguments.get", args, "count", "4"));
size = call("diffusionj.ij.MacroArguments.get", args, "size", "0");
steps = call("diffusionj.ij.MacroArguments.get", args, "steps", "20");
setBatchMode(true);
File.makeDirectory(out);
titles = newArray(count);
for (i = 0; i < count; i++) {
    run("Generate Image...", "prompt=[a red circle on the left and a blue square] negative=[blurry] model=[" + model + "] steps=" + steps
        + " cfg=7.5 seed=" + (seed + i) + " width=" + size + " height=" + size + " batch=1");
    rename("seed " + (seed + i));
    titles[i] = getTitle();
}
run("Images to Stack", "use");
run("Make Montage...", "columns=" + count + " rows=1 scale=1 label");
saveAs("PNG", out + "/montage.png");
print("seed sweep: " + count + " images -> " + out + "/montage.png");
