package io.sparkdiffusion.eval;

import io.sparkdiffusion.config.ConfigError;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SweepPointTest {

    @Test
    void theGridCrossesEverySamplerSettingWithEveryGuidanceInTheOrderGiven() {
        List<SweepPoint> grid = SweepPoint.grid(List.of("DDIM:50", " dpm-solver++:20", "ddpm"), List.of(1.0, 2.5), "k");
        assertEquals(List.of(new SweepPoint("ddim", 50, 1.0), new SweepPoint("ddim", 50, 2.5),
                new SweepPoint("dpm-solver++", 20, 1.0), new SweepPoint("dpm-solver++", 20, 2.5),
                new SweepPoint("ddpm", 0, 1.0), new SweepPoint("ddpm", 0, 2.5)), grid);
        assertEquals(new SweepPoint("ddpm", 1000, 2.5), grid.get(5).withDdpmSteps(1000));
        assertEquals(grid.get(0), grid.get(0).withDdpmSteps(1000));
    }

    @Test
    void namesAreFileSafeAndGuidedPointsCostTwoImagePassesPerStep() {
        SweepPoint guided = new SweepPoint("dpm-solver++", 20, 1.5);
        assertEquals("dpm-solver-pp-20-g1.5", guided.name());
        assertEquals("ddim-50-g3", new SweepPoint("ddim", 50, 3.0).name());
        assertEquals("dpm-solver++:20", guided.samplerLabel());
        assertEquals(40, guided.imagePasses(true));
        assertEquals(20, guided.imagePasses(false), "an unconditional model makes one prediction per step");
        assertEquals(20, new SweepPoint("dpm-solver++", 20, 1.0).imagePasses(true), "w = 1 is just conditional");
        assertEquals(20, new SweepPoint("dpm-solver++", 20, 0.0).imagePasses(true), "w = 0 is just unconditional");
    }

    @Test
    void badListsAreRefusedNamingTheKeyAndTheEntry() {
        record Case(List<String> samplers, List<Double> guidance, String message) {
        }
        for (Case c : List.of(
                new Case(List.of("ddim"), List.of(1.0), "k.samplers: 'ddim' is not sampler:steps (e.g. ddim:50, dpm-solver++:20)"),
                new Case(List.of("ddim:ten"), List.of(1.0), "k.samplers: 'ddim:ten' is not sampler:steps (e.g. ddim:50, dpm-solver++:20)"),
                new Case(List.of("ddim:0"), List.of(1.0), "k.samplers: 'ddim:0' is not sampler:steps (e.g. ddim:50, dpm-solver++:20)"),
                new Case(List.of("heun:10"), List.of(1.0), "k.samplers: unknown sampler in 'heun:10'; valid: ddpm, ddim, dpm-solver++"),
                new Case(List.of("ddim:10"), List.of(-1.0), "k.guidance: -1.0 is not a scale of 0 or more"),
                new Case(List.of("ddim:10", "DDIM:10"), List.of(1.0), "k: ddim-10-g1 is listed twice"),
                new Case(List.of(), List.of(1.0), "k: samplers and guidance must each list at least one value"))) {
            assertEquals(c.message(), assertThrows(ConfigError.class,
                    () -> SweepPoint.grid(c.samplers(), c.guidance(), "k")).getMessage());
        }
    }
}
