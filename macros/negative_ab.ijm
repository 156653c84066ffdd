// Negative prompt A/B: the same seed without and with a negative prompt, side by side and labelled,
// to see what the negative prompt took away. Arguments: "[model=PATH] out=DIR [seed=S] [size=PX] [steps=K]".
args = getArgument();
model = call("diffusionj.ij.MacroArguments.get", args, "model", "");
out = call("diffusionj.ij.MacroArguments.get", args, "out", getDirectory("temp"));
seed = call("diffusionj.ij.MacroArguments.get", args, "seed", "7");
size = call("diffusionj.ij.MacroArguments.get", args, "size", "0");
steps = call("diffusionj.ij.MacroArguments.get", args, "steps", "20");
prompt = "a red circle and a blue square";
negative = "blue square";
setBatchMode(true);
File.makeDirectory(out);
common = "prompt=[" + prompt + "] model=[" + model + "] steps=" + steps + " cfg=7.5 seed=" + seed + " width=" + size + " height=" + size;
run("Generate Image...", common + " negative=[]");
rename("A");
run("Generate Image...", common + " negative=[" + negative + "]");
rename("B");
run("Combine...", "stack1=A stack2=B");
w = getWidth();
setColor("white");
setFont("SansSerif", maxOf(9, round(w / 32)));
drawString("no negative", 2, 14);
drawString("negative: " + negative, w / 2 + 2, 14);
saveAs("PNG", out + "/negative_ab.png");
print("negative A/B -> " + out + "/negative_ab.png");
