package diffusionj.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** The activation functions of the supported models, by their Hugging Face/diffusers names. */
public final class Activations {
    private Activations() {
    }

    /** OpenAI CLIP's sigmoid approximation of GELU: x·σ(1.702x). */
    public static SDVariable quickGelu(SameDiff sd, SDVariable x) {
        return x.mul(sd.nn.sigmoid(x.mul(1.702)));
    }

    /** Exact GELU: ½x(1 + erf(x/√2)). ND4J's own gelu op is an approximation, so it is composed here. */
    public static SDVariable gelu(SameDiff sd, SDVariable x) {
        return x.mul(0.5).mul(sd.math.erf(x.mul(1.0 / Math.sqrt(2.0))).add(1.0));
    }

    /** GPT-2's tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
    public static SDVariable geluTanh(SameDiff sd, SDVariable x) {
        SDVariable inner = x.add(sd.math.pow(x, 3.0).mul(0.044715)).mul(Math.sqrt(2.0 / Math.PI));
        return x.mul(0.5).mul(sd.math.tanh(inner).add(1.0));
    }

    public static SDVariable silu(SameDiff sd, SDVariable x) {
        return x.mul(sd.nn.sigmoid(x));
    }

    /** By config name ({@code hidden_act}, {@code act_fn}); unknown names are a config error. */
    public static SDVariable byName(SameDiff sd, String name, SDVariable x) {
        return switch (name) {
            case "quick_gelu" -> quickGelu(sd, x);
            case "gelu" -> gelu(sd, x);
            case "gelu_new", "gelu_pytorch_tanh" -> geluTanh(sd, x);
            case "silu", "swish" -> silu(sd, x);
            default -> throw new IllegalArgumentException("unsupported activation '" + name + "'");
        };
    }
}
