// Word maps of every image in a folder -> one CSV of per-word mask areas. For each image (PNG, JPEG, TIFF) it runs
// Plugins > DiffusionJ > Word Maps of Image... with the prompt (or, when the image has a NAME.txt beside it, as
// make-shapes and the fine-tuning tools write, that caption) and measures each word's mask (one ROI per prompt
// token: a word the tokenizer splits gives one row per piece).
// Arguments: "in=DIR out=DIR [prompt=TEXT] [model=PATH] [timesteps=200,400] [draws=K] [seed=S] [threshold=T]".
args = getArgument();
in = call("diffusionj.ij.MacroArguments.get", args, "in", "");
out = call("diffusionj.ij.MacroArguments.get", args, "out", getDirectory("temp"));
prompt = call("diffusionj.ij.MacroArguments.get", args, "prompt", "");
model = call("diffusionj.ij.MacroArguments.get", args, "model", "");
timesteps = call("diffusionj.ij.MacroArguments.get", args, "timesteps", "200,400");
draws = call("diffusionj.ij.MacroArguments.get", args, "draws", "2");
seed = call("diffusionj.ij.MacroArguments.get", args, "seed", "0");
threshold = call("diffusionj.ij.MacroArguments.get", args, "threshold", "0.4");
if (in == "") exit("word_maps_folder: give in=DIR, the folder of images");
setBatchMode(true);
File.makeDirectory(out);
run("Clear Results");
row = 0;
files = getFileList(in);
for (f = 0; f < files.length; f++) {
    name = files[f];
    lower = toLowerCase(name);
    if (!(endsWith(lower, ".png") || endsWith(lower, ".jpg") || endsWith(lower, ".tif") || endsWith(lower, ".tiff"))) continue;
    if (indexOf(name, ".mask.") >= 0) continue; // make-shapes' ground-truth masks
    text = prompt;
    caption = in + "/" + substring(name, 0, lastIndexOf(name, ".")) + ".txt";
    if (File.exists(caption)) text = String.trim(File.openAsString(caption));
    if (text == "") exit("word_maps_folder: no prompt= given and no caption file " + caption);
    open(in + "/" + name);
    image = getImageID();
    pixels = getWidth() * getHeight();
    roiManager("reset");
    options = "prompt=[" + text + "] timesteps=" + timesteps + " draws=" + draws + " seed=" + seed + " threshold=" + threshold;
    if (model != "") options = options + " model=[" + model + "]";
    run("Word Maps of Image...", options);
    for (i = 0; i < roiManager("count"); i++) {
        selectImage(image);
        roiManager("select", i);
        word = Roi.getName;
        getStatistics(area);
        getSelectionBounds(x, y, w, h);
        if (selectionType() == -1 || w == 0) area = 0; // an empty mask keeps an empty ROI, which selects nothing
        setResult("Image", row, name);
        setResult("Word", row, word);
        setResult("Area", row, area);
        setResult("Fraction", row, area / pixels);
        row++;
    }
    close("*");
}
updateResults();
saveAs("Results", out + "/word_areas.csv");
print("word maps: " + row + " words of " + files.length + " files -> " + out + "/word_areas.csv");
