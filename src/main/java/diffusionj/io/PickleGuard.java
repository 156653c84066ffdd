package diffusionj.io;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Refuses PyTorch pickle checkpoints. Unpickling runs arbitrary code from the file, so DiffusionJ never
 * does it; the message tells the user how to get a safetensors file instead.
 */
final class PickleGuard {
    private static final String[] PICKLE_SUFFIXES = {".ckpt", ".pt", ".pth", ".bin", ".pkl", ".pickle"};

    private PickleGuard() {
    }

    static void refuseByName(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (String suffix : PICKLE_SUFFIXES) {
            if (name.endsWith(suffix)) {
                throw refusal(file, "its name ends in " + suffix);
            }
        }
    }

    /** PyTorch writes zip archives ("PK\3\4") or bare pickles (protocol byte 0x80). */
    static void refuseByMagic(Path file, ByteBuffer firstBytes) {
        byte b0 = firstBytes.get(0);
        byte b1 = firstBytes.get(1);
        if (b0 == 'P' && b1 == 'K' && firstBytes.get(2) == 3 && firstBytes.get(3) == 4) {
            throw refusal(file, "it is a zip archive, the container PyTorch uses for pickled checkpoints");
        }
        if ((b0 & 0xff) == 0x80 && b1 >= 2 && b1 <= 5) {
            throw refusal(file, "it starts like a Python pickle");
        }
    }

    static CheckpointException refusal(Path file, String why) {
        return new CheckpointException(file + " looks like a PyTorch pickle checkpoint (" + why + "). DiffusionJ does not open pickles:"
                + " loading one can execute arbitrary code hidden in the file. Use the .safetensors version of the model"
                + " (most models are published as one), or convert it once in a Python environment you trust, e.g."
                + " torch.load(path, map_location='cpu', weights_only=True) followed by safetensors.torch.save_file(state_dict, 'model.safetensors').");
    }
}
