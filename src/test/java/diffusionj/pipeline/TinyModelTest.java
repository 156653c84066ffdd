package diffusionj.pipeline;

import diffusionj.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The pipeline tests' shared model: the tiny random-weight SD 1.x fixture, loaded once per test class. */
abstract class TinyModelTest {
    static StableDiffusion model;

    @BeforeAll
    static void loadTinyModel() {
        model = StableDiffusion.load(Fixtures.path("sd1-tiny", "model"), null);
    }

    @AfterAll
    static void closeTinyModel() {
        model.close();
    }
}
