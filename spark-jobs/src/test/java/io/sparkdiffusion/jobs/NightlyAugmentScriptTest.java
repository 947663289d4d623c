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
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/nightly-augment.sh's stages, lock, status file and exit codes, through scripts/submit.sh to a stub
 * spark-submit (SPARK_HOME/bin) that prints what a job would and exits with the code a test asks for: no Spark.
 * The jobs themselves, on a real standalone cluster, are covered by their own tests.
 */
class NightlyAugmentScriptTest {
    private static final Path SCRIPT = Path.of("..", "scripts", "nightly-augment.sh").toAbsolutePath().normalize();
    private static final String NEW_IMAGES = "prepare: version 2 of /out/prepared: 3 new, 0 changed, 0 deleted files"
            + " (3 decoded); +3 images, -0; now 12 images (0 rejected, 0 duplicates) of shape 1x8x8";

    @TempDir
    Path tmp;
    private Path sparkHome;
    private Path jar;
    private Path logs;

    @BeforeEach
    void stubs() throws IOException {
        sparkHome = tmp.resolve("spark");
        Files.createDirectories(sparkHome.resolve("bin"));
        // the job is the class after --class; its line and exit code come from STUB_<JOB>_LINE / STUB_<JOB>_EXIT
        Path submit = Files.writeString(sparkHome.resolve("bin/spark-submit"), """
                #!/usr/bin/env bash
                echo "$*" >> "$STUB_CALLS"
                while [ "$1" != "--class" ]; do shift; done
                job=$(echo "${2##*.}" | tr a-z A-Z)
                line="STUB_${job}_LINE"; code="STUB_${job}_EXIT"
                echo "${!line:-}"
                exit "${!code:-0}"
                """);
        Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
        jar = tmp.resolve("jobs.jar");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
            for (String job : List.of("PrepareJob", "AugmentJob", "EvaluateJob")) {
                out.putNextEntry(new ZipEntry("io/sparkdiffusion/jobs/" + job + ".class"));
                out.closeEntry();
            }
        }
        logs = tmp.resolve("logs");
    }

    @Test
    void aNightWithNewImagesRunsEveryStageAndStopsAtTheFirstFailure() throws Exception {
        Run run = nightly(Map.of("STUB_PREPAREJOB_LINE", NEW_IMAGES, "STUB_EVALUATEJOB_EXIT", "1"));
        assertEquals(1, run.code(), run.output());
        // the first evaluate trains the classifier (and fails here); augment and the scoring never run
        assertEquals(List.of("prepare\t0", "classifier\t1"), stages());
        List<String> calls = Files.readAllLines(tmp.resolve("calls"));
        assertTrue(calls.get(0).contains("--set prepare.mode=incremental"), calls.get(0));
        assertTrue(calls.get(1).contains("--set evaluate.mode=train-classifier"), calls.get(1));
        assertTrue(Files.notExists(logs.resolve("classifier.done")), "a failed classifier is trained again next time");

        Files.delete(tmp.resolve("calls"));
        Thread.sleep(1100); // the next run's directory is named by the second it starts
        Run next = nightly(Map.of("STUB_PREPAREJOB_LINE", NEW_IMAGES, "STUB_AUGMENTJOB_EXIT", "2"));
        assertEquals(2, next.code(), next.output());
        assertEquals(List.of("prepare\t0", "classifier\t0", "augment\t2"), stages());
        String augment = Files.readAllLines(tmp.resolve("calls")).get(2);
        assertTrue(augment.contains("--set augment.versions=newest") && augment.contains("--set augment.steps=10")
                && augment.contains("--conf spark.executor.memory=512m"), augment);
    }

    @Test
    void aNightWithNoNewImageStopsAfterThePrepare() throws Exception {
        for (String line : List.of("prepare: nothing new under /corpus since version 2 of /out/prepared (9 files"
                + " unchanged); nothing decoded, nothing written", NEW_IMAGES.replace("+3 images", "+0 images"))) {
            Run run = nightly(Map.of("STUB_PREPAREJOB_LINE", line));
            assertEquals(0, run.code(), run.output());
            assertEquals(List.of("prepare\t0"), stages());
            Thread.sleep(1100);
        }
    }

    @Test
    void anOverlappingRunDoesNothingAndAMissingSettingIsOneLine() throws Exception {
        Files.createDirectories(logs);
        Process holder = new ProcessBuilder("flock", logs.resolve(".lock").toString(), "sleep", "30").start();
        try {
            Thread.sleep(500);
            Run overlapping = nightly(Map.of("STUB_PREPAREJOB_LINE", NEW_IMAGES));
            assertEquals(75, overlapping.code(), overlapping.output());
            assertTrue(overlapping.output().contains("another run still holds"), overlapping.output());
            assertTrue(Files.notExists(tmp.resolve("calls")), "no job started");
        } finally {
            holder.destroy();
        }
        Run missing = run(List.of(SCRIPT.toString(), "--corpus", "/corpus", "--out", "/out"), Map.of());
        assertEquals(2, missing.code());
        assertEquals("nightly-augment.sh: --run-dir is missing: the TrainJob run whose checkpoint varies the images",
                missing.output().strip());
    }

    private Run nightly(Map<String, String> env) throws Exception {
        return run(List.of(SCRIPT.toString(), "--corpus", "/corpus", "--run-dir", "/runs/main", "--out", "/out",
                "--master", "spark://10.0.0.5:7077", "--conf", "spark.executor.memory=512m", "--logs", logs.toString(),
                "--set", "augment.steps=10"), env);
    }

    /** The last run's stages with their exit codes, from its status file. */
    private List<String> stages() throws IOException {
        Path last;
        try (Stream<Path> runs = Files.list(logs)) {
            last = runs.filter(Files::isDirectory).sorted().reduce((a, b) -> b).orElseThrow();
        }
        List<String> rows = Files.readAllLines(last.resolve("status.tsv"));
        assertEquals("stage\texit\tseconds\treport\tlog", rows.get(0));
        List<String> stages = new ArrayList<>();
        for (String row : rows.subList(1, rows.size())) {
            String[] cells = row.split("\t");
            stages.add(cells[0] + "\t" + cells[1]);
        }
        return stages;
    }

    private record Run(int code, String output) {
    }

    private Run run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("SPARK_HOME", sparkHome.toString());
        builder.environment().put("SPARK_DIFFUSION_JAR", jar.toString());
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1"); // submit.sh refuses to guess for a remote master
        builder.environment().put("STUB_CALLS", tmp.resolve("calls").toString());
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "nightly-augment.sh still running: " + output);
        return new Run(process.exitValue(), output);
    }
}
