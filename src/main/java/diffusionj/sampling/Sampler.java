package diffusionj.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One sampler run, as diffusers drives its schedulers: for each entry i of {@link #timesteps()} (one per
 * UNet call) the pipeline feeds {@link #scaleModelInput} to the UNet and hands its output to {@link #step},
 * which returns the next sample. Instances hold the run's history (multistep methods), so each generation
 * gets a fresh one from {@link Samplers#create}.
 */
public abstract class Sampler {
    protected final NoiseSchedule schedule;

    protected Sampler(NoiseSchedule schedule) {
        this.schedule = schedule;
    }

    /** The timestep passed to the UNet at each call. */
    public abstract double[] timesteps();

    /** The starting noise is drawn standard normal and multiplied by this. */
    public double initNoiseSigma() {
        return 1;
    }

    public INDArray scaleModelInput(INDArray sample, int index) {
        return sample;
    }

    public abstract INDArray step(INDArray modelOutput, int index, INDArray sample, NoiseSource noise);

    /**
     * The call index at which step {@code step} of the schedule begins: image-to-image starts there. Samplers
     * that call the UNet more than once per step override it.
     */
    public int firstCall(int step) {
        return step;
    }

    /**
     * {@code original} noised to the level the sample has before call {@code call} (after the last call:
     * the original itself): √ᾱ_t·x₀ + √(1−ᾱ_t)·ε for samplers that work in timesteps.
     */
    public INDArray noised(INDArray original, INDArray noise, int call) {
        if (call >= timesteps().length) {
            return original.dup();
        }
        return schedule.noised(original, noise, (int) Math.round(timesteps()[call]));
    }

    /** The σ of each step and the final one, for samplers that work in σ; null for the others. */
    double[] sigmaSchedule() {
        return null;
    }

    /** a·ca + b·cb, the shape of almost every update rule. */
    protected static INDArray combine(INDArray a, double ca, INDArray b, double cb) {
        return a.mul(ca).addi(b.mul(cb));
    }
}
