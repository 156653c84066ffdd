package diffusionj.sampling;

/**
 * Samplers on DDPM's own discretisation: N training timesteps taken every T/N steps ("leading" spacing),
 * each step moving {@link #stride} timesteps down.
 */
abstract class LeadingSampler extends Sampler {
    protected final double[] timesteps;
    protected final int stride;

    LeadingSampler(NoiseSchedule schedule, int steps) {
        super(schedule);
        this.timesteps = schedule.leadingTimesteps(steps);
        this.stride = schedule.trainTimesteps() / steps;
    }

    @Override
    public double[] timesteps() {
        return timesteps;
    }
}
