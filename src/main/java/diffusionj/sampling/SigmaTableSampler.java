package diffusionj.sampling;

/**
 * A sampler whose timesteps and noise levels are tabulated when it is made: one σ per timestep, then the final
 * 0. What the sample holds at a given σ (x₀ + σ·ε, or that scaled to unit variance) is the subclass's to say.
 */
abstract class SigmaTableSampler extends Sampler {
    protected final double[] timesteps;
    protected final double[] sigmas;

    /** @param sigmas one per timestep, followed by the final 0 */
    SigmaTableSampler(NoiseSchedule schedule, double[] timesteps, double[] sigmas) {
        super(schedule);
        this.timesteps = timesteps;
        this.sigmas = sigmas;
    }

    @Override
    double[] sigmaSchedule() {
        return sigmas;
    }

    @Override
    public double[] timesteps() {
        return timesteps;
    }
}
