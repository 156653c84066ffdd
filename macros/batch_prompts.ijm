// Batch: one image per line of a text file of prompts, saved as PNG with the web UIs' "parameters" text,
// with its token maps as a TIFF stack (one slice per prompt token).
// Arguments: "[model=PATH] prompts=FILE out=DIR [seed=S] [size=PX] [steps=K]". Empty lines and lines starting with # are skipped.
args = getArgument();
model = call("diffusionj.ij.MacroArguments.get", args, "model", "");
prompts = call("diffusionj.ij.MacroArguments.get", args, "prompts", "");
out = call("diffusionj.ij.MacroArguments.get", args, "out", getDirectory("temp"));
seed = parseInt(call("diffusionj.ij.MacroArguments.get", args, "seed", "1"));
size = call("diffusionj.ij.MacroArguments.get", args, "size", "0");
steps = call("diffusionj.ij.MacroArguments.get", args, "steps", "20");
setBatchMode(true);
File.makeDirectory(out);
lines = split(File.openAsString(prompts), "\n");
n = 0;
for (i = 0; i < lines.length; i++) {
    prompt = String.trim(lines[i]);
    if (prompt == "" || startsWith(prompt, "#")) continue;
    n++;
    name = IJ.pad(n, 3);
    run("Generate Image...", "prompt=[" + prompt + "] negative=[blurry] model=[" + model + "] steps=" + steps + " seed=" + (seed + n)
        + " width=" + size + " height=" + size + " token threshold=0.4");
    image = getTitle();
    run("PNG with Parameters...", "path=[" + out + "/" + name + ".png]");
    selectImage("Token maps of " + image);
    saveAs("Tiff", out + "/" + name + "-maps.tif");
    close("*");
    roiManager("reset");
}
print("batch: " + n + " prompts -> " + out);
