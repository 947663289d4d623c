package io.sparkdiffusion.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/submit.sh puts the driver on loopback only for a master it knows is local, wherever the master is named:
 * --master, --conf spark.master, the properties file (either separator), SPARK_HOME's spark-defaults.conf, or the
 * job's spark-master key. Spark is not started: SPARK_HOME is a stub whose bin/spark-submit prints what it was given.
 */
class SubmitScriptMasterTest {
    private static final Path SCRIPT = Path.of("..", "scripts", "submit.sh").toAbsolutePath().normalize();
    private static final String REMOTE = "spark://10.0.0.5:7077";

    @TempDir
    Path tmp;
    private Path sparkHome;
    private Path jar;
    private Path config;

    @BeforeEach
    void stubs() throws IOException {
        sparkHome = tmp.resolve("spark");
        Files.createDirectories(sparkHome.resolve("bin"));
        Files.createDirectories(sparkHome.resolve("conf"));
        Path submit = Files.writeString(sparkHome.resolve("bin/spark-submit"),
                "#!/usr/bin/env bash\necho \"SPARK_LOCAL_IP=${SPARK_LOCAL_IP:-}\"\n");
        Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
        jar = tmp.resolve("jobs.jar");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new ZipEntry("io/sparkdiffusion/jobs/SampleJob.class"));
            out.closeEntry();
        }
        config = Files.writeString(tmp.resolve("sample.conf"), "sample {\n  # spark-master = \"\"\n  steps = 2\n}\n");
    }

    @Test
    void aMasterGivenOnTheCommandLineDecides() throws Exception {
        assertEquals(local(), submit("--master", "local[2]"));
        assertEquals(local(), submit("--master=spark://127.0.0.1:7077"));
        assertEquals(local(), submit("--conf", "spark.master=local[*]"));
        assertRefused(REMOTE, submit("--master", REMOTE));
        assertRefused(REMOTE, submit("--conf=spark.master=" + REMOTE));
        assertEquals(passed(), submit("--master", REMOTE, "--deploy-mode", "cluster"), "cluster mode: nothing set");
    }

    @Test
    void aMasterFromThePropertiesFileIsReadWithEitherSeparator() throws Exception {
        for (String line : new String[] {"spark.master " + REMOTE, "spark.master=" + REMOTE, "  spark.master = " + REMOTE,
            "spark.master: " + REMOTE}) {
            Path props = Files.writeString(tmp.resolve("p.conf"), "# spark.master local\n" + line + "\n");
            assertRefused(REMOTE, submit("--properties-file", props.toString()));
        }
        Path props = Files.writeString(tmp.resolve("p.conf"), "spark.master=local[2]\n");
        assertEquals(local(), submit("--properties-file", props.toString()));
        Files.writeString(tmp.resolve("p.conf"), "spark.master=local[2]\nspark.submit.deployMode=cluster\nspark.master="
                + REMOTE + "\n");
        assertEquals(passed(), submit("--properties-file", props.toString()), "the last line wins; cluster mode");
    }

    @Test
    void sparkDefaultsConfIsReadWhenNoPropertiesFileIsGiven() throws Exception {
        Files.writeString(sparkHome.resolve("conf/spark-defaults.conf"), "spark.master=" + REMOTE + "\n");
        assertRefused(REMOTE, submit());
        Files.writeString(sparkHome.resolve("conf/spark-defaults.conf"), "spark.master local[1]\n");
        assertEquals(local(), submit());
    }

    @Test
    void noMasterAnywhereIsNotTakenForALocalOne() throws Exception {
        assertRefused("", submit());
        assertEquals(List.of("SPARK_LOCAL_IP=10.0.0.9"), run(Map.of("SPARK_LOCAL_IP", "10.0.0.9")), "set by the user");
    }

    @Test
    void theJobsSparkMasterKeyWinsOverSparkSubmits() throws Exception {
        assertRefused(REMOTE, submit("--master", "local[2]", "--", "--set", "sample.spark-master=" + REMOTE));
        assertEquals(local(), submit("--", "--set=sample.spark-master=local[2]"));
        Files.writeString(config, "sample {\n  spark-master = \"" + REMOTE + "\"\n}\n");
        assertRefused("", submit("--master", "local[2]"));
        assertRefused("", run(Map.of(), "sample", "hdfs://nn/sample.conf", "--master", "local[2]"));
    }

    private List<String> submit(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("sample", config.toString()));
        args.addAll(List.of(options));
        return run(Map.of(), args.toArray(String[]::new));
    }

    private List<String> run(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
        command.addAll(List.of(args.length == 0 ? new String[] {"sample", config.toString()} : args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("SPARK_LOCAL_IP");
        builder.environment().remove("SPARK_CONF_DIR");
        builder.environment().put("SPARK_HOME", sparkHome.toString());
        builder.environment().put("SPARK_DIFFUSION_JAR", jar.toString());
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        List<String> lines = new ArrayList<>(output.lines().toList());
        lines.add("exit " + process.exitValue());
        return lines.subList(0, 1);
    }

    private static List<String> local() {
        return List.of("SPARK_LOCAL_IP=127.0.0.1");
    }

    private static List<String> passed() {
        return List.of("SPARK_LOCAL_IP=");
    }

    private static void assertRefused(String master, List<String> output) {
        String line = output.get(0);
        assertTrue(master.isEmpty() ? line.startsWith("submit.sh: cannot tell which Spark master")
                : line.startsWith("submit.sh: the driver for " + master + " must listen"), line);
    }
}
