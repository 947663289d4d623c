package io.sparkdiffusion.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class CommandLineTest {

    @Test
    void parsesConfigRepeatedSetsAndHelp() {
        CommandLine cl = CommandLine.parse("--config", "job.conf", "--set", "train.epochs=3", "--set=train.name=a=b",
                "--help");
        assertEquals(Optional.of("job.conf"), cl.configFile());
        assertEquals(List.of("train.epochs=3", "train.name=a=b"), cl.overrides());
        assertTrue(cl.help());

        CommandLine empty = CommandLine.parse();
        assertEquals(Optional.empty(), empty.configFile());
        assertFalse(empty.help());
        assertEquals(Optional.of("x.conf"), CommandLine.parse("--config=x.conf").configFile());
    }

    @Test
    void anythingElseIsAUsageError() {
        assertEquals("unknown argument '--epochs' (expected --config FILE, --set key=value or --help)",
                assertThrows(ConfigError.class, () -> CommandLine.parse("--epochs", "3")).getMessage());
        assertEquals("unknown argument 'train.epochs=3' (expected --config FILE, --set key=value or --help)",
                assertThrows(ConfigError.class, () -> CommandLine.parse("train.epochs=3")).getMessage());
        assertEquals("--config needs a file name",
                assertThrows(ConfigError.class, () -> CommandLine.parse("--config")).getMessage());
        assertEquals("--set needs key=value",
                assertThrows(ConfigError.class, () -> CommandLine.parse("--set", "--help")).getMessage());
        assertEquals("--set needs key=value, got 'epochs'",
                assertThrows(ConfigError.class, () -> CommandLine.parse("--set", "epochs")).getMessage());
        assertEquals("--config given twice ('a.conf' and 'b.conf')",
                assertThrows(ConfigError.class, () -> CommandLine.parse("--config", "a.conf", "--config", "b.conf"))
                        .getMessage());
    }

    @Test
    void feedsTheLoader() {
        JobConfigLoader loader = JobConfigLoader.fromResource("testjob", "test-job.conf");
        Settings s = loader.settings(CommandLine.parse("--set", "testjob.epochs=7"));
        assertEquals(7, s.getPositiveInt("testjob.epochs"));
    }
}
