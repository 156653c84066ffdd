package diffusionj.lora;

import java.nio.file.Path;

/**
 * A LoRA as a prompt asks for it: {@code <lora:name:te:unet>} — its file and the multipliers of its text-encoder
 * and UNet modules (the web UI's; with one number both are that number).
 */
public record LoraUse(Path file, double textMultiplier, double unetMultiplier) {
}
