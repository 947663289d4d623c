package io.sparkdiffusion.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The old name of a renamed key (local.steps, now local.max-steps) with the local trainer's real defaults. */
class RenamedKeysTest {
    private static final JobConfigLoader LOCAL = JobConfigLoader.forJob("local");
    private static final String SAID = "local.steps is deprecated: use local.max-steps";

    @TempDir
    Path temp;

    private Optional<String> file(String hocon) throws IOException {
        Path f = temp.resolve("local.conf");
        Files.writeString(f, hocon);
        return Optional.of(f.toString());
    }

    /** What the call wrote to stderr, and its result. */
    private static <T> String stderrOf(Supplier<T> call, Object[] result) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        try {
            result[0] = call.get();
        } finally {
            System.setErr(old);
        }
        return err.toString();
    }

    private static long maxSteps(Object loaded) {
        return new Settings((com.typesafe.config.Config) loaded).getPositiveLong("local.max-steps");
    }

    @Test
    void theOldNameInAFileSetsTheNewKeyAndSaysSoInOneLine() throws IOException {
        Optional<String> conf = file("local { steps = 7 }\n");
        Object[] loaded = new Object[1];
        String err = stderrOf(() -> LOCAL.load(conf, List.of()), loaded);
        assertEquals(7, maxSteps(loaded[0]));
        assertEquals(List.of(SAID), err.lines().toList());
    }

    @Test
    void theOldNameInASetWinsOverTheNewNameInTheFileAsAnySetDoes() throws IOException {
        Optional<String> conf = file("local.max-steps = 7\n");
        Object[] loaded = new Object[1];
        String err = stderrOf(() -> LOCAL.load(conf, List.of("local.steps=9")), loaded);
        assertEquals(9, maxSteps(loaded[0]));
        assertEquals(List.of(SAID), err.lines().toList());
    }

    @Test
    void theOldNameInBothTheFileAndASetIsSaidOnce() throws IOException {
        Optional<String> conf = file("local.steps = 7\n");
        Object[] loaded = new Object[1];
        String err = stderrOf(() -> LOCAL.load(conf, List.of("local.steps=9")), loaded);
        assertEquals(9, maxSteps(loaded[0]));
        assertEquals(List.of(SAID), err.lines().toList());
    }

    @Test
    void theNewNameAloneSaysNothing() {
        Object[] loaded = new Object[1];
        String err = stderrOf(() -> LOCAL.load(Optional.empty(), List.of("local.max-steps=5")), loaded);
        assertEquals(5, maxSteps(loaded[0]));
        assertEquals("", err);
    }

    @Test
    void bothNamesInOneLayerAreRefusedNamingBoth() {
        ConfigError e = assertThrows(ConfigError.class,
                () -> LOCAL.load(Optional.empty(), List.of("local.steps=9", "local.max-steps=5")));
        assertTrue(e.getMessage().contains("local.steps") && e.getMessage().contains("local.max-steps"), e.getMessage());
    }
}
