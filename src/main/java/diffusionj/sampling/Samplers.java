package diffusionj.sampling;

import java.util.List;

/** The sampler names DiffusionJ accepts (diffusers' schedulers under the web UIs' short names). */
public final class Samplers {
    public static final List<String> NAMES = List.of("ddim", "pndm", "euler", "euler_karras", "euler_ancestral", "heun",
            "lms", "dpmpp_2m", "dpmpp_2m_karras", "ddpm", "lcm");

    private Samplers() {
    }

    public static Sampler create(String name, NoiseSchedule schedule, int steps) {
        return switch (name) {
            case "ddim" -> new DdimSampler(schedule, steps);
            case "pndm" -> new PndmSampler(schedule, steps);
            case "euler" -> new EulerSampler(schedule, steps, false);
            case "euler_karras" -> new EulerSampler(schedule, steps, true);
            case "euler_ancestral" -> new EulerAncestralSampler(schedule, steps);
            case "heun" -> new HeunSampler(schedule, steps);
            case "lms" -> new LmsSampler(schedule, steps);
            case "dpmpp_2m" -> new DpmSolverPlusPlus2MSampler(schedule, steps, false);
            case "dpmpp_2m_karras" -> new DpmSolverPlusPlus2MSampler(schedule, steps, true);
            case "ddpm" -> new DdpmSampler(schedule, steps);
            case "lcm" -> new LcmSampler(schedule, steps);
            default -> throw new IllegalArgumentException("unknown sampler '" + name + "'; choose one of " + String.join(", ", NAMES));
        };
    }
}
