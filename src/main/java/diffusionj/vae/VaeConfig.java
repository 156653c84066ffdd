package diffusionj.vae;

import com.google.gson.JsonObject;
import diffusionj.io.CheckpointException;

/** The sizes of a diffusers {@code AutoencoderKL} ({@code vae/config.json}). */
public record VaeConfig(int inChannels, int outChannels, int latentChannels, int[] blockOutChannels,
                        int layersPerBlock, int normGroups, double scalingFactor) {

    public static VaeConfig fromJson(JsonObject c) {
        try {
            var channels = c.getAsJsonArray("block_out_channels");
            int[] ch = new int[channels.size()];
            for (int i = 0; i < ch.length; i++) {
                ch[i] = channels.get(i).getAsInt();
            }
            return new VaeConfig(c.get("in_channels").getAsInt(), c.get("out_channels").getAsInt(),
                    c.get("latent_channels").getAsInt(), ch, c.get("layers_per_block").getAsInt(),
                    c.get("norm_num_groups").getAsInt(),
                    c.has("scaling_factor") ? c.get("scaling_factor").getAsDouble() : 0.18215);
        } catch (RuntimeException e) {
            throw new CheckpointException("vae config is incomplete: " + c, e);
        }
    }

    /** Pixels per latent pixel along each side: one halving per block but the last. */
    public int downscale() {
        return 1 << (blockOutChannels.length - 1);
    }
}
