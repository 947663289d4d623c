package io.sparkdiffusion.runtime;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BoundedChildTest {

    @Test
    void aChildThatHangsWithItsOutputOpenFailsAtTheTimeoutNotWhenItExits() {
        long start = System.nanoTime();
        AssertionError error = assertThrows(AssertionError.class, () -> BoundedChild.run(
                new ProcessBuilder("sh", "-c", "echo started; sleep 30"), Duration.ofSeconds(1)));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 10, "took " + seconds + " s");
        assertTrue(error.getMessage().contains("started"), error.getMessage());
    }

    @Test
    void aChildThatFinishesGivesItsExitCodeAndOutput() throws Exception {
        BoundedChild.Result result = BoundedChild.run(new ProcessBuilder("sh", "-c", "echo out; echo err >&2; exit 3"),
                Duration.ofSeconds(30));
        assertEquals(3, result.exitCode());
        assertEquals("out\nerr\n", result.output());
    }
}
