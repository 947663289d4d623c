package io.sparkdiffusion.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.typesafe.config.Config;

class JobConfigLoaderTest {
    private static final JobConfigLoader LOADER = JobConfigLoader.fromResource("testjob", "test-job.conf");

    @TempDir
    Path temp;

    private Settings load(Optional<String> file, String... sets) {
        return new Settings(LOADER.load(file, List.of(sets)));
    }

    private Optional<String> file(String hocon) throws IOException {
        Path f = temp.resolve("job.conf");
        Files.writeString(f, hocon);
        return Optional.of(f.toString());
    }

    @Test
    void defaultsComeFromTheReference() {
        Settings s = load(Optional.empty());
        assertEquals(10, s.getPositiveInt("testjob.epochs"));
        assertEquals(2e-4, s.getDoubleInRange("testjob.learning-rate", 0, 1));
        assertEquals("demo", s.getString("testjob.name"));
        assertTrue(s.getBoolean("testjob.resume"));
        assertEquals(List.of(1, 2, 2), s.getIntList("testjob.channel-multipliers"));
        assertEquals(Optional.empty(), s.getOptionalString("testjob.checkpoint"));
        assertEquals(32, s.at("testjob.model").getInt("base-channels"));
    }

    @Test
    void fileOverridesDefaultsAndKeepsTheRest() throws IOException {
        Settings s = load(file("testjob { epochs = 3, model.base-channels = 64 }\nunrelated { anything = 1 }\n"));
        assertEquals(3, s.getInt("testjob.epochs"));
        assertEquals(64, s.getInt("testjob.model.base-channels"));
        assertEquals(0.1, s.getDouble("testjob.model.dropout"));
        assertEquals("demo", s.getString("testjob.name"));
    }

    @Test
    void setOverridesAreTypedAndWinOverTheFile() throws IOException {
        Settings s = load(file("testjob.epochs = 3\ntestjob.name = fromfile\n"),
                "testjob.epochs=5",
                "testjob.learning-rate=1e-3",
                "testjob.resume=false",
                "testjob.channel-multipliers=[1,2,4]",
                "testjob.name=hello world",
                "testjob.run-dir=hdfs://nn:8020/runs/a#b",
                "testjob.checkpoint=\"quoted // kept\"",
                "testjob.spark-conf.spark.executor.memory=2g",
                "testjob.model.dropout=0",
                "testjob.model.dropout=0.25");
        Config c = s.config();
        assertEquals(5, s.getInt("testjob.epochs"));
        assertEquals(com.typesafe.config.ConfigValueType.NUMBER, c.getValue("testjob.epochs").valueType());
        assertEquals(1e-3, s.getDouble("testjob.learning-rate"));
        assertFalse(s.getBoolean("testjob.resume"));
        assertEquals(List.of(1, 2, 4), s.getIntList("testjob.channel-multipliers"));
        assertEquals("hello world", s.getString("testjob.name"));
        assertEquals("hdfs://nn:8020/runs/a#b", s.getString("testjob.run-dir")); // not cut at a HOCON comment
        assertEquals(Optional.of("quoted // kept"), s.getOptionalString("testjob.checkpoint"));
        assertEquals("2g", c.getString("testjob.spark-conf.spark.executor.memory")); // open section
        assertEquals(0.25, s.getDouble("testjob.model.dropout")); // the later --set wins
    }

    @Test
    void unknownKeyFromSetNamesItAndSuggests() {
        ConfigError e = assertThrows(ConfigError.class, () -> load(Optional.empty(), "testjob.epocs=3"));
        assertEquals("unknown key 'testjob.epocs' (did you mean 'testjob.epochs'?) in --set testjob.epocs=3",
                e.getMessage());

        ConfigError root = assertThrows(ConfigError.class, () -> load(Optional.empty(), "tesjob.epochs=3"));
        assertEquals("unknown key 'tesjob.epochs' (did you mean 'testjob.epochs'?) in --set tesjob.epochs=3",
                root.getMessage());

        ConfigError moved = assertThrows(ConfigError.class, () -> load(Optional.empty(), "testjob.base-channels=3"));
        assertTrue(moved.getMessage().startsWith(
                "unknown key 'testjob.base-channels' (did you mean 'testjob.model.base-channels'?)"), moved.getMessage());

        ConfigError far = assertThrows(ConfigError.class, () -> load(Optional.empty(), "testjob.zzzzzzzzzz=1"));
        assertEquals("unknown key 'testjob.zzzzzzzzzz' in --set testjob.zzzzzzzzzz=1", far.getMessage());
    }

    @Test
    void unknownKeyFromFileNamesItsFileAndLine() throws IOException {
        Optional<String> f = file("testjob {\n  model {\n    base-channel = 16\n  }\n  sampler = ddpm\n  stepz = 3\n}\n");
        ConfigError e = assertThrows(ConfigError.class, () -> load(f));
        String m = e.getMessage();
        assertFalse(m.contains("\n"));
        assertEquals("unknown key 'testjob.model.base-channel' (did you mean 'testjob.model.base-channels'?) in "
                + f.get() + ": 3; also unknown: 'testjob.stepz'", m);
    }

    @Test
    void fileProblemsAreOneLineErrors() throws IOException {
        ConfigError missing = assertThrows(ConfigError.class, () -> load(Optional.of(temp.resolve("nope.conf").toString())));
        assertEquals("config file not found: " + temp.resolve("nope.conf"), missing.getMessage());

        ConfigError syntax = assertThrows(ConfigError.class, () -> load(file("testjob {\n epochs = = 3\n")));
        assertTrue(syntax.getMessage().startsWith("cannot parse config file: "), syntax.getMessage());
        assertTrue(syntax.getMessage().contains("job.conf: 2"), syntax.getMessage());
        assertFalse(syntax.getMessage().contains("\n"));

        assertThrows(ConfigError.class, () -> load(Optional.empty(), "noequals"));
        assertEquals("'testjob' must be a section of keys ({ ... }), got number in --set testjob=5",
                assertThrows(ConfigError.class, () -> load(Optional.empty(), "testjob=5")).getMessage());
        ConfigError noSection = assertThrows(ConfigError.class, () -> JobConfigLoader.fromResource("nojob", "test-job.conf"));
        assertEquals("the reference config has no section 'nojob'", noSection.getMessage());
    }

    @Test
    void helpListsEveryKeyWithDefaultAndComment() {
        String help = LOADER.help("testjob [--config FILE] [--set key=value ...]");
        assertTrue(help.startsWith("Usage: testjob [--config FILE]"), help);
        for (String key : List.of("epochs", "learning-rate", "name", "run-dir", "resume", "channel-multipliers",
                "sampler", "schedule", "checkpoint", "model.base-channels", "model.dropout", "spark-conf")) {
            assertTrue(help.contains("  testjob." + key + " = "), key + " missing in\n" + help);
        }
        assertTrue(help.matches("(?s).*testjob\\.epochs = 10 +# training epochs\n.*"), help);
        assertTrue(help.contains("testjob.name = \"demo\""), help);
        assertTrue(help.contains("testjob.channel-multipliers = [1,2,2]"), help);
        assertTrue(help.contains("testjob.checkpoint = null"), help);
        assertTrue(help.contains("testjob.spark-conf = {}"), help);
        assertTrue(help.matches("(?s).*testjob\\.model\\.base-channels = 32 +# channels of the first level\n.*"), help);
        assertFalse(help.contains("other.size"), help);
    }
}
