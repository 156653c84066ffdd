package diffusionj.scijava;

import diffusionj.Fixtures;
import diffusionj.pipeline.GenerationRequest;
import diffusionj.pipeline.GenerationResult;
import org.junit.jupiter.api.Test;
import org.scijava.Context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

/** SciJava finds the service by its annotation, as Fiji's script parameters (#@ DiffusionService) do. */
class DiffusionServiceTest {

    @Test
    void aSciJavaContextDiscoversTheServiceAndItCachesModels() {
        try (Context context = new Context(DiffusionService.class)) {
            DiffusionService s = context.getService(DiffusionService.class);
            assertInstanceOf(DefaultDiffusionService.class, s);
            ModelChoice tiny = new ModelChoice(Fixtures.path("sd1-tiny", "model"), null);
            assertSame(s.model(tiny), s.model(tiny), "loaded once, then cached");
            GenerationRequest r = new GenerationRequest("a red circle", "", "euler", 2, 7.5, 9, 64, 64, 1, 1);
            GenerationResult result = s.generate(tiny, r, null, false, diffusionj.pipeline.ProgressListener.NONE, () -> false);
            assertEquals(9, result.seeds()[0]);
            assertEquals(1, s.loadedModels().size());
            s.unloadAll();
            assertEquals(0, s.loadedModels().size());
        }
    }
}
