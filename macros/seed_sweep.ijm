// Seed sweep: the same prompt with seeds S..S+N-1, as one montage with the seed under each image.
// Arguments (bin/diffusionj run macros/seed_sweep.ijm "model=DIR out=DIR [seed=S] [count=N] [size=PX] [steps=K]"):
// model: a diffusers folder or .safetensors file; out: folder for montage.png.
args = getArgument();
model = option(args, "model", "");
out = option(args, "out", getDirectory("temp"));
seed = parseInt(option(args, "seed", "1"));
count = parseInt(option(args, "count", "4"));
size = option(args, "size", "0");
steps = option(args, "steps", "20");
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

function option(text, key, fallback) {
    parts = split(text, " ");
    for (i = 0; i < parts.length; i++)
        if (startsWith(parts[i], key + "=")) return substring(parts[i], lengthOf(key) + 1);
    return fallback;
}
