package io.sparkdiffusion.jobs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sparkdiffusion.config.JobConfigLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example job configs in conf/: each loads for its job (no unknown key), sets no Spark master (one there
 * would beat spark-submit's --master), and lists every key of the job, set or commented with its default.
 */
class ExampleConfigsTest {
    /** A commented-out key line ({@code # key = value}, {@code # section {}) or the end of a section. */
    private static final Pattern COMMENTED_KEY = Pattern.compile("^(\\s*)#\\s*([A-Za-z][\\w.-]*\\s*[={].*|}\\s*)$");

    @ParameterizedTest
    @ValueSource(strings = {"prepare", "train", "evaluate"})
    void listsEveryKeyOfItsJob(String job) throws Exception {
        Path file = Path.of("..", "conf", job + ".conf");
        JobConfigLoader loader = JobConfigLoader.forJob(job);
        Config loaded = loader.load(Optional.of(file.toString()), List.of());
        assertTrue(loaded.getString(job + ".spark-master").isEmpty(), "no Spark master in " + file);

        String uncommented = Files.readAllLines(file).stream()
                .map(line -> COMMENTED_KEY.matcher(line).replaceFirst("$1$2"))
                .collect(Collectors.joining("\n"));
        Set<String> listed = leafKeys(ConfigFactory.parseString(uncommented).getConfig(job));
        Set<String> missing = new TreeSet<>(leafKeys(loader.reference().getConfig(job)));
        missing.removeAll(listed);
        assertEquals(Set.of(), missing, "keys of " + job + " that " + file + " does not list");
    }

    private static Set<String> leafKeys(Config config) {
        return config.entrySet().stream().map(Map.Entry::getKey).collect(Collectors.toSet());
    }
}
