// Batch: one image per line of a text file of prompts, saved as PNG with the web UIs' "parameters" text,
// with its token maps as a TIFF stack (one slice per prompt token).
// Arguments: "model=DIR prompts=FILE out=DIR [seed=S] [size=PX] [steps=K]". Empty lines and lines starting with # are skipped.
args = getArgument();
model = option(args, "model", "");
prompts = option(args, "prompts", "");
out = option(args, "out", getDirectory("temp"));
seed = parseInt(option(args, "seed", "1"));
size = option(args, "size", "0");
steps = option(args, "steps", "20");
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
    run("Save PNG with Parameters...", "path=[" + out + "/" + name + ".png]");
    selectImage("Token maps of " + image);
    saveAs("Tiff", out + "/" + name + "-maps.tif");
    close("*");
    roiManager("reset");
}
print("batch: " + n + " prompts -> " + out);

function option(text, key, fallback) {
    parts = split(text, " ");
    for (i = 0; i < parts.length; i++)
        if (startsWith(parts[i], key + "=")) return substring(parts[i], lengthOf(key) + 1);
    return fallback;
}
