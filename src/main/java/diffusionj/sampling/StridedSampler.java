package diffusionj.sampling;

/**
 * Samplers on DDPM's own discretisation: N training timesteps T/N apart, spaced as the config's
 * {@code timestep_spacing} says ({@link NoiseSchedule#stridedTimesteps}), each step moving {@link #stride}
 * timesteps down.
 */
abstract class StridedSampler extends Sampler {
    protected final double[] timesteps;
    protected final int stride;

    StridedSampler(NoiseSchedule schedule, int steps) {
        super(schedule);
        this.timesteps = schedule.stridedTimesteps(steps);
        this.stride = schedule.trainTimesteps() / steps;
    }

    @Override
    public double[] timesteps() {
        return timesteps;
    }
}
