package diffusionj.sampling;

import com.google.gson.JsonObject;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;

/**
 * The training noise schedule of a model (its {@code scheduler_config.json}): betas, ᾱ_t = Π(1 − β), the
 * matching noise levels σ_t = √((1 − ᾱ_t)/ᾱ_t), and the inference timestep spacings and sigma schedules the
 * samplers choose from.
 */
public final class NoiseSchedule {
    private final double[] alphasCumprod;
    private final double[] sigmas;
    private final double[] logSigmas;
    private final Prediction prediction;
    private final int stepsOffset;
    /** The config's {@code timestep_spacing}, or null where it states none: each diffusers scheduler then has its own default. */
    private final Spacing spacing;
    /** ᾱ of the step past t = 0: 1 with {@code set_alpha_to_one}, else ᾱ_0 as in SD's configs. */
    private final double finalAlphaCumprod;
    /** |x̂₀| bound of {@code clip_sample}, 0 when the config does not clip. */
    private final double clipSampleRange;

    /**
     * ᾱ and σ are rounded to float32 as the reference computes them (float32 betas, a cumulative product
     * accumulated in double and stored as float32): the Karras timesteps, found by interpolating log σ,
     * follow these roundings.
     */
    public NoiseSchedule(float[] betas, Prediction prediction, int stepsOffset, Spacing spacing, boolean alphaToOne,
                         double clipSampleRange) {
        this.alphasCumprod = new double[betas.length];
        this.sigmas = new double[betas.length];
        this.logSigmas = new double[betas.length];
        double product = 1;
        for (int t = 0; t < betas.length; t++) {
            product *= 1f - betas[t];
            float alpha = (float) product;
            alphasCumprod[t] = alpha;
            sigmas[t] = (float) Math.sqrt((1f - alpha) / alpha);
            logSigmas[t] = Math.log(sigmas[t]);
        }
        this.prediction = prediction;
        this.stepsOffset = stepsOffset;
        this.spacing = spacing;
        this.finalAlphaCumprod = alphaToOne ? 1 : alphasCumprod[0];
        this.clipSampleRange = clipSampleRange;
    }

    public static NoiseSchedule fromConfig(JsonObject c) {
        int n = c.has("num_train_timesteps") ? c.get("num_train_timesteps").getAsInt() : 1000;
        double start = c.has("beta_start") ? c.get("beta_start").getAsDouble() : 0.00085;
        double end = c.has("beta_end") ? c.get("beta_end").getAsDouble() : 0.012;
        String kind = c.has("beta_schedule") ? c.get("beta_schedule").getAsString() : "scaled_linear";
        float[] betas = c.has("trained_betas") && !c.get("trained_betas").isJsonNull() ? trainedBetas(c, n) : switch (kind) {
            case "scaled_linear" -> squared(linspace((float) Math.sqrt(start), (float) Math.sqrt(end), n));
            case "linear" -> linspace((float) start, (float) end, n);
            case "squaredcos_cap_v2" -> cosine(n);
            default -> throw new IllegalArgumentException("beta_schedule '" + kind + "' is not supported (scaled_linear, linear, squaredcos_cap_v2)");
        };
        String prediction = c.has("prediction_type") ? c.get("prediction_type").getAsString() : "epsilon";
        int offset = c.has("steps_offset") ? c.get("steps_offset").getAsInt() : 0;
        // Every SD release states clip_sample: false; a model whose latents are pixels in [−1, 1] (ours) may clip.
        boolean clip = c.has("clip_sample") && c.get("clip_sample").getAsBoolean();
        double range = c.has("clip_sample_range") ? c.get("clip_sample_range").getAsDouble() : 1.0;
        Spacing spacing = statedSpacing(c);
        boolean alphaToOne = c.has("set_alpha_to_one") && c.get("set_alpha_to_one").getAsBoolean();
        // EDM's σ_data (our own key, read only with prediction_type "edm"); EDM's value when absent.
        double sigmaData = c.has("sigma_data") ? c.get("sigma_data").getAsDouble() : Prediction.EDM_SIGMA_DATA;
        return new NoiseSchedule(betas, Prediction.fromConfig(prediction, sigmaData), offset, spacing, alphaToOne,
                clip ? range : 0);
    }

    private NoiseSchedule(NoiseSchedule other, Spacing spacing) {
        this.alphasCumprod = other.alphasCumprod;
        this.sigmas = other.sigmas;
        this.logSigmas = other.logSigmas;
        this.prediction = other.prediction;
        this.stepsOffset = other.stepsOffset;
        this.spacing = spacing;
        this.finalAlphaCumprod = other.finalAlphaCumprod;
        this.clipSampleRange = other.clipSampleRange;
    }

    /** This schedule with the timesteps placed by {@code newSpacing} whatever the config says (the web UIs' "schedule type"). */
    public NoiseSchedule withSpacing(Spacing newSpacing) {
        return new NoiseSchedule(this, newSpacing);
    }

    /** The spacing in force: the config's, else {@code classDefault} (diffusers' default of the scheduler class). */
    Spacing spacing(Spacing classDefault) {
        return spacing != null ? spacing : classDefault;
    }

    /**
     * The config's {@code timestep_spacing} where it is a choice, else null. diffusers writes every key of the
     * scheduler class that saved the config, defaults included: a DDIM config's "leading" is DDIM's default and says
     * nothing about Euler (each sampler then keeps its own default, as diffusers' pipelines built from such a folder
     * do), while SDXL's Euler config with "leading" is Stability's choice and places every sampler's timesteps.
     */
    private static Spacing statedSpacing(JsonObject c) {
        if (!c.has("timestep_spacing") || c.get("timestep_spacing").isJsonNull()) {
            return null;
        }
        Spacing stated = Spacing.fromConfig(c.get("timestep_spacing").getAsString());
        String owner = c.has("_class_name") ? c.get("_class_name").getAsString() : "";
        Spacing ownersDefault = switch (owner) {
            case "DDIMScheduler", "PNDMScheduler", "DDPMScheduler", "LCMScheduler" -> Spacing.LEADING;
            case "EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler", "HeunDiscreteScheduler", "LMSDiscreteScheduler",
                 "DPMSolverMultistepScheduler" -> Spacing.LINSPACE;
            default -> null;
        };
        return stated == ownersDefault ? null : stated;
    }

    /** diffusers' {@code trained_betas}: the β of every training step, listed (they replace beta_schedule). */
    private static float[] trainedBetas(JsonObject c, int n) {
        var list = c.getAsJsonArray("trained_betas");
        if (list.size() != n) {
            throw new IllegalArgumentException("trained_betas lists " + list.size() + " values, num_train_timesteps is " + n);
        }
        float[] betas = new float[n];
        for (int t = 0; t < n; t++) {
            betas[t] = list.get(t).getAsFloat();
            if (!(betas[t] > 0 && betas[t] < 1)) {
                throw new IllegalArgumentException("trained_betas[" + t + "] = " + betas[t] + " is outside (0, 1)");
            }
        }
        return betas;
    }

    /**
     * Nichol &amp; Dhariwal's cosine schedule: ᾱ(s) = cos²((s + 0.008)/1.008 · π/2), β_t = 1 − ᾱ((t+1)/T)/ᾱ(t/T)
     * capped at 0.999. Its last ᾱ is about 2·10⁻⁹: the noisiest training sample carries no trace of the image,
     * as the pure noise sampling starts from does not.
     */
    private static float[] cosine(int n) {
        float[] betas = new float[n];
        for (int t = 0; t < n; t++) {
            betas[t] = (float) Math.min(1 - cosineAlphaBar((t + 1.0) / n) / cosineAlphaBar((double) t / n), 0.999);
        }
        return betas;
    }

    private static double cosineAlphaBar(double s) {
        double c = Math.cos((s + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** torch.linspace in float32: the first half counted up from start, the second down from end. */
    private static float[] linspace(float start, float end, int n) {
        float[] v = new float[n];
        float step = n == 1 ? 0 : (end - start) / (n - 1);
        for (int i = 0; i < n; i++) {
            v[i] = i < n / 2 ? start + step * i : end - step * (n - 1 - i);
        }
        return v;
    }

    private static float[] squared(float[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * v[i];
        }
        return out;
    }

    public int trainTimesteps() {
        return alphasCumprod.length;
    }

    public Prediction prediction() {
        return prediction;
    }

    /**
     * The predicted clean sample, bounded to the data's range when the config sets {@code clip_sample}
     * (DDIM, DDPM and LCM honour it, as in diffusers): early in sampling x̂₀ = (x − √(1−ᾱ)·ε̂)/√ᾱ divides by
     * a tiny √ᾱ, and a pixel-space model's small errors would otherwise grow into full-range noise.
     */
    INDArray predictedOriginal(INDArray output, INDArray sample, double alphaProd) {
        return clipped(prediction.originalFromAlpha(output, sample, alphaProd));
    }

    /** x̂₀ bounded in place when the config clips, else unchanged. */
    INDArray clipped(INDArray x0) {
        return clipSampleRange > 0 ? Transforms.min(Transforms.max(x0, -clipSampleRange, false), clipSampleRange, false) : x0;
    }

    public double alphaCumprod(int t) {
        return alphasCumprod[t];
    }

    /** x₀ noised to timestep t, the forward process: √ᾱ_t·x₀ + √(1−ᾱ_t)·ε (a new array; neither input is changed). */
    public INDArray noised(INDArray x0, INDArray noise, int t) {
        double a = alphasCumprod[t];
        return x0.mul(Math.sqrt(a)).addi(noise.mul(Math.sqrt(1 - a)));
    }

    /** ᾱ at a step's target timestep, which for the last step lies before t = 0. */
    double alphaCumprodBefore(int t) {
        return t >= 0 ? alphasCumprod[t] : finalAlphaCumprod;
    }

    /**
     * The N timesteps of DDIM, PNDM and DDPM, descending, as the config's {@code timestep_spacing} places them
     * (their default: "leading"): "leading", every (T/N)-th step from 0 plus the config's offset (SD's releases: the
     * first is 951 of 999 for N = 20); "trailing", every (T/N)-th step counted down from T − 1, so sampling starts at
     * the noisiest training step (Lin et al., 2024); "linspace" and "sgm_uniform", N rounded points from T − 1 down.
     */
    public double[] stridedTimesteps(int steps) {
        return switch (spacing(Spacing.LEADING)) {
            case LEADING -> leadingTimesteps(steps);
            case TRAILING -> trailingTimesteps(steps);
            case LINSPACE -> rounded(linspaceTimesteps(steps));
            case SGM_UNIFORM -> rounded(sgmUniformTimesteps(steps));
        };
    }

    private static double[] rounded(double[] timesteps) {
        return Arrays.stream(timesteps).map(Math::rint).toArray();
    }

    /**
     * The timesteps of the σ samplers (Euler, Euler ancestral, Heun, LMS), as diffusers' EulerDiscreteScheduler places
     * them (their default: "linspace", fractional); "leading" and "trailing" as {@link #stridedTimesteps}.
     */
    public double[] sigmaSamplerTimesteps(int steps) {
        return switch (spacing(Spacing.LINSPACE)) {
            case LINSPACE -> linspaceTimesteps(steps);
            case LEADING -> leadingTimesteps(steps);
            case TRAILING -> trailingTimesteps(steps);
            case SGM_UNIFORM -> sgmUniformTimesteps(steps);
        };
    }

    /**
     * The timesteps of DPM-Solver++ (diffusers' DPMSolverMultistepScheduler, default "linspace"): "linspace", N + 1
     * rounded points from T − 1 to 0 with the last dropped; "leading", every (T/(N+1))-th step from 0 with the
     * first (0) dropped, plus the offset.
     */
    public double[] dpmSolverTimesteps(int steps) {
        return switch (spacing(Spacing.LINSPACE)) {
            case LEADING -> {
                int ratio = trainTimesteps() / (steps + 1);
                yield java.util.stream.IntStream.range(0, steps).mapToDouble(i -> (double) (steps - i) * ratio + stepsOffset).toArray();
            }
            case TRAILING -> trailingTimesteps(steps);
            // Linspace here is diffusers' np.linspace(0, T − 1, N + 1).round() without its last point: SGM uniform's
            // points, rounded half to even as numpy does (6 steps: 832.5 → 832, where rounding half up gave 833).
            case SGM_UNIFORM, LINSPACE -> rounded(sgmUniformTimesteps(steps));
        };
    }

    /** Whether the σ samplers start from noise of σ_max (linspace, trailing, SGM uniform) or √(σ_max² + 1) (leading), as diffusers. */
    boolean startsAtMaxSigma() {
        return spacing(Spacing.LINSPACE) != Spacing.LEADING;
    }

    /** Every (T/N)-th step from 0 plus the offset, descending. */
    private double[] leadingTimesteps(int steps) {
        int ratio = trainTimesteps() / steps;
        double[] t = new double[steps];
        for (int i = 0; i < steps; i++) {
            t[i] = (double) (steps - 1 - i) * ratio + stepsOffset;
        }
        return t;
    }

    private double[] trailingTimesteps(int steps) {
        double[] t = new double[steps];
        for (int i = 0; i < steps; i++) {
            t[i] = Math.round(trainTimesteps() - (double) i * trainTimesteps() / steps) - 1;
        }
        return t;
    }

    /**
     * The web UIs' "SGM Uniform" schedule type (SGM's discretization, used for Turbo and Lightning models): N + 1
     * points evenly spaced from T − 1 down to 0, the last (σ_min) left out: [T−1, (T−1)(N−1)/N, …, (T−1)/N].
     */
    private double[] sgmUniformTimesteps(int steps) {
        double[] t = new double[steps];
        for (int i = 0; i < steps; i++) {
            t[i] = (trainTimesteps() - 1) * (double) (steps - i) / steps;
        }
        return t;
    }

    /** The {@code timestep_spacing} values, and the web UIs' SGM uniform schedule type. */
    public enum Spacing {
        LEADING, TRAILING, LINSPACE, SGM_UNIFORM;

        public static Spacing fromConfig(String value) {
            return switch (value) {
                case "leading" -> LEADING;
                case "trailing" -> TRAILING;
                case "linspace" -> LINSPACE;
                case "sgm_uniform" -> SGM_UNIFORM;
                default -> throw new IllegalArgumentException("timestep_spacing '" + value + "' is not supported (leading, trailing, linspace, sgm_uniform)");
            };
        }
    }

    /** "linspace": N points from T−1 down to 0, not necessarily integers (Euler, Heun, LMS). */
    public double[] linspaceTimesteps(int steps) {
        double[] t = new double[steps];
        for (int i = 0; i < steps; i++) {
            t[i] = steps == 1 ? trainTimesteps() - 1 : (trainTimesteps() - 1) * (double) (steps - 1 - i) / (steps - 1);
        }
        return t;
    }

    /** σ at a possibly fractional timestep, linearly interpolated as numpy.interp does. */
    public double sigmaAt(double t) {
        int low = (int) Math.floor(t);
        if (low >= sigmas.length - 1) {
            return sigmas[sigmas.length - 1];
        }
        double w = t - low;
        return sigmas[low] * (1 - w) + sigmas[low + 1] * w;
    }

    public double[] sigmasAt(double[] timesteps) {
        return Arrays.stream(timesteps).map(this::sigmaAt).toArray();
    }

    public double maxSigma() {
        return sigmas[sigmas.length - 1];
    }

    public double minSigma() {
        return sigmas[0];
    }

    /** Karras et al. (2022): N levels evenly spaced in σ^(1/ρ) from σ_max to σ_min, ρ = 7. */
    public static double[] karrasSigmas(double sigmaMin, double sigmaMax, int steps) {
        double rho = 7;
        double minInv = Math.pow(sigmaMin, 1 / rho);
        double maxInv = Math.pow(sigmaMax, 1 / rho);
        double[] s = new double[steps];
        for (int i = 0; i < steps; i++) {
            double ramp = steps == 1 ? 0 : (double) i / (steps - 1);
            s[i] = Math.pow(maxInv + ramp * (minInv - maxInv), rho);
        }
        return s;
    }

    /** The fractional timestep whose σ is {@code sigma}, interpolating log σ between training steps. */
    public double sigmaToTimestep(double sigma) {
        double logSigma = Math.log(Math.max(sigma, 1e-10));
        int low = 0;
        for (int i = 0; i < logSigmas.length; i++) {
            if (logSigma - logSigmas[i] >= 0) {
                low = i;
            }
        }
        low = Math.min(low, logSigmas.length - 2);
        double w = (logSigmas[low] - logSigma) / (logSigmas[low] - logSigmas[low + 1]);
        w = Math.max(0, Math.min(1, w));
        return (1 - w) * low + w * (low + 1);
    }

    /** σ-schedule with a final 0 appended. */
    static double[] withFinalZero(double[] sigmas) {
        return Arrays.copyOf(sigmas, sigmas.length + 1);
    }
}
