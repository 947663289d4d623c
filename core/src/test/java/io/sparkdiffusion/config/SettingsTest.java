package io.sparkdiffusion.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.sparkdiffusion.schedule.ScheduleSpec;

class SettingsTest {
    private static final JobConfigLoader LOADER = JobConfigLoader.fromResource("testjob", "test-job.conf");

    @TempDir
    Path temp;

    private static Settings withSets(String... sets) {
        return new Settings(LOADER.load(Optional.empty(), List.of(sets)));
    }

    private static String error(Runnable read) {
        ConfigError e = assertThrows(ConfigError.class, read::run);
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void wrongTypeFromSetIsOneLineNamingKeyValueAndOrigin() {
        Settings s = withSets("testjob.epochs=abc");
        assertEquals("key 'testjob.epochs': expected a positive integer, got 'abc' (from --set testjob.epochs=abc)",
                error(() -> s.getPositiveInt("testjob.epochs")));
        assertEquals("key 'testjob.epochs': expected an integer, got 'abc' (from --set testjob.epochs=abc)",
                error(() -> s.getInt("testjob.epochs")));
    }

    @Test
    void wrongValueFromFileNamesTheFileAndLine() throws IOException {
        Path f = temp.resolve("bad.conf");
        Files.writeString(f, "testjob {\n  epochs = -2\n  learning-rate = 1.5\n}\n");
        Settings s = new Settings(LOADER.load(Optional.of(f.toString()), List.of()));
        assertEquals("key 'testjob.epochs': expected a positive integer, got '-2' (from " + f + ": 2)",
                error(() -> s.getPositiveInt("testjob.epochs")));
        assertEquals("key 'testjob.learning-rate': expected a number in [0.0, 1.0], got '1.5' (from " + f + ": 3)",
                error(() -> s.getDoubleInRange("testjob.learning-rate", 0, 1)));
        assertEquals(-2, s.getInt("testjob.epochs"));
    }

    @Test
    void numbersBooleansAndListsAreChecked() {
        Settings s = withSets("testjob.epochs=2.5", "testjob.resume=maybe", "testjob.channel-multipliers=[1,x]",
                "testjob.name=[1,2]", "testjob.model.dropout=\"0.5\"", "testjob.learning-rate=1e-3");
        assertTrue(error(() -> s.getInt("testjob.epochs")).startsWith("key 'testjob.epochs': expected an integer, got '2.5'"));
        assertTrue(error(() -> s.getBoolean("testjob.resume")).startsWith("key 'testjob.resume': expected true or false, got 'maybe'"));
        assertTrue(error(() -> s.getIntList("testjob.channel-multipliers"))
                .startsWith("key 'testjob.channel-multipliers': expected a list of integers, got '[1,\"x\"]'"));
        assertTrue(error(() -> s.getString("testjob.name")).startsWith("key 'testjob.name': expected a single value, got '[1,2]'"));
        assertEquals(0.5, s.getDouble("testjob.model.dropout")); // a quoted number is still a number
        assertEquals("key 'nope' is missing", error(() -> s.getInt("nope")));
        assertEquals("key 'testjob.checkpoint' is not set (null)", error(() -> s.getString("testjob.checkpoint")));
        assertEquals(List.of(1.0, 2.0, 2.0), withSets().getDoubleList("testjob.channel-multipliers"));
        assertEquals(1e-3, s.getPositiveDouble("testjob.learning-rate"));
    }

    @Test
    void enumsAndChoicesListTheAllowedValues() {
        Settings s = withSets("testjob.schedule=COSINE", "testjob.sampler=dpm-solver++");
        assertEquals(ScheduleSpec.Kind.COSINE, s.getEnum("testjob.schedule", ScheduleSpec.Kind.class));
        assertEquals("dpm-solver++", s.getChoice("testjob.sampler", "ddpm", "ddim", "dpm-solver++"));

        Settings bad = withSets("testjob.schedule=cosin", "testjob.sampler=dpmm");
        assertEquals("key 'testjob.schedule': expected one of linear, cosine, got 'cosin' (from --set testjob.schedule=cosin)",
                error(() -> bad.getEnum("testjob.schedule", ScheduleSpec.Kind.class)));
        assertEquals("key 'testjob.sampler': expected one of ddpm, ddim, dpm-solver++, got 'dpmm' (from --set testjob.sampler=dpmm)",
                error(() -> bad.getChoice("testjob.sampler", "ddpm", "ddim", "dpm-solver++")));
    }

    @Test
    void choicesNamedTrueOrFalseAcceptTheUnquotedWordThatHoconParsesAsABoolean() {
        Settings s = withSets("testjob.name=false", "testjob.sampler=true");
        assertEquals("false", s.getChoice("testjob.name", "auto", "true", "false"));
        assertEquals("true", s.getChoice("testjob.sampler", "auto", "true", "false"));
        assertEquals("key 'testjob.sampler': expected one of ddpm, ddim, got 'true' (from --set testjob.sampler=true)",
                error(() -> s.getChoice("testjob.sampler", "ddpm", "ddim")));
    }

    @Test
    void commaSeparatedListFromAShellWorks() {
        Settings s = withSets("testjob.channel-multipliers=1,2,4");
        assertEquals(List.of(1, 2, 4), s.getIntList("testjob.channel-multipliers"));
        assertEquals(List.of("1", "2", "4"), s.getStringList("testjob.channel-multipliers"));
    }
}
