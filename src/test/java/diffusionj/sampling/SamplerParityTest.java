package diffusionj.sampling;

import com.google.gson.JsonObject;
import diffusionj.Fixtures;
import diffusionj.io.JsonFiles;
import diffusionj.io.Safetensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static diffusionj.Parity.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every golden scheduler run replayed: timesteps, σ, the initial noise scale, and each step's model input
 * and sample, with the fixtures' stand-in model (0.5·input + bias·(1+i)) and their recorded noise.
 */
class SamplerParityTest {

    static Stream<String> runs() {
        List<String> runs = new ArrayList<>();
        for (String set : new String[]{"sd1-tiny", "sd2-tiny", "sdxl-tiny"}) {
            for (String name : Samplers.NAMES) {
                // SDXL's set has 10-step runs only, all under its config's "leading" spacing.
                for (int steps : set.equals("sdxl-tiny") ? new int[]{10} : new int[]{10, 25}) {
                    runs.add(set + "/" + name + "_" + steps);
                }
            }
        }
        return runs.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void everyStepMatchesTheReference(String run) {
        String set = run.substring(0, run.indexOf('/'));
        String key = run.substring(run.indexOf('/') + 1);
        String name = key.substring(0, key.lastIndexOf('_'));
        int steps = Integer.parseInt(key.substring(key.lastIndexOf('_') + 1));
        JsonObject manifest = JsonFiles.readObject(Fixtures.path(set, "manifest.json"));
        JsonObject entry = manifest.getAsJsonObject("schedulers").getAsJsonObject(key);
        NoiseSchedule schedule = NoiseSchedule.fromConfig(entry.getAsJsonObject("config"));
        Sampler sampler = Samplers.create(name, schedule, steps);

        try (Safetensors g = Safetensors.open(Fixtures.path(set, "golden/scheduler_" + key + ".safetensors"))) {
            double[] expectedTimesteps = g.loadDoubles("timesteps");
            assertEquals(expectedTimesteps.length, sampler.timesteps().length, run + " number of UNet calls");
            assertClose(Nd4j.createFromArray(expectedTimesteps), Nd4j.createFromArray(sampler.timesteps()), 1e-4, run + " timesteps");
            if (g.contains("sigmas")) {
                assertClose(Nd4j.createFromArray(g.loadDoubles("sigmas")), Nd4j.createFromArray(sampler.sigmaSchedule()), 1e-4, run + " sigmas");
            }
            assertEquals(g.load("init_noise_sigma").getDouble(0), sampler.initNoiseSigma(), 1e-4, run + " init_noise_sigma");

            ReplayedNoise replay = ReplayedNoise.from(g);
            int recorded = 0;
            while (g.contains(ReplayedNoise.key(recorded))) {
                recorded++;
            }
            INDArray bias = g.load("model_bias");
            INDArray sample = g.load("initial_noise").mul(sampler.initNoiseSigma());
            for (int i = 0; i < expectedTimesteps.length; i++) {
                String step = String.format("step%02d", i);
                INDArray input = sampler.scaleModelInput(sample, i);
                assertClose(g.load(step + ".model_input"), input, 1e-4, run + " " + step + ".model_input");
                INDArray output = input.mul(0.5).addi(bias.mul(1 + i));
                sample = sampler.step(output, i, sample, replay);
                assertClose(g.load(step + ".sample"), sample, 1e-4, run + " " + step + ".sample");
            }
            assertEquals(recorded, replay.consumed(), run + " noise draws");
        }
    }
}
