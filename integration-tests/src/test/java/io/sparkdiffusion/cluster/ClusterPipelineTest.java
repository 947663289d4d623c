package io.sparkdiffusion.cluster;

import io.sparkdiffusion.checkpoint.CheckpointStore;
import io.sparkdiffusion.checkpoint.LoadedCheckpoint;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.eval.EvaluationReport;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jobs as a user runs them on a cluster: the shaded jar submitted with scripts/submit.sh (Spark's SparkSubmit
 * from the Maven jars) to a standalone master with two one-core workers started by scripts/cluster/start.sh, every
 * path on an in-process HDFS. PrepareJob, then TrainJob with one executor JVM killed mid-run, then TrainJob with
 * its driver killed and rerun with --resume, then SampleJob from the resumed run and EvaluateJob on its images,
 * and TrainJob with 8 workers on the 2 executors twice, for the same weights. Each stage checks what the job
 * wrote, read back through core or the file system.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterPipelineTest {
    /** 48 images, 2 workers, batch 4: 6 optimizer steps per epoch, 2 averaging rounds of 3 steps. */
    private static final int STEPS_PER_EPOCH = 6;
    private static final int ROUNDS_PER_EPOCH = 2;
    private static final List<String> TINY_TRAINING = List.of("train.model.base-channels=8",
            "train.model.channel-multipliers=[1,2]", "train.model.groups=4", "train.model.time-embedding-dim=16",
            "train.schedule.timesteps=100", "train.workers=2", "train.batch-size=4", "train.averaging-frequency=3",
            "train.warmup-steps=3", "train.learning-rate=3e-3", "train.sample.count=4", "train.sample.steps=2",
            "train.checkpoint-every-epochs=1");
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(8);

    private static java.nio.file.Path repo;
    private static java.nio.file.Path work;
    private static MiniDFSCluster hdfs;
    private static FileSystem fs;
    private static String root;
    private static StandaloneCluster cluster;

    @BeforeAll
    static void startHdfsAndCluster() throws Exception {
        repo = java.nio.file.Path.of(System.getProperty("repo.root")).toRealPath();
        work = java.nio.file.Path.of(System.getProperty("cluster.dir"));
        deleteRecursively(work);
        Files.createDirectories(work.resolve("logs"));
        Configuration conf = new Configuration();
        hdfs = new MiniDFSCluster.Builder(conf, work.resolve("hdfs").toFile()).numDataNodes(1).build();
        root = "hdfs://127.0.0.1:" + hdfs.getNameNodePort(); // getURI() says localhost
        fs = FileSystem.get(URI.create(root), conf);
        cluster = StandaloneCluster.start(repo, work.resolve("spark"), 2, "1g");
        TinyCorpus.write(fs, new Path(root + "/corpus"));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (hdfs != null) {
                hdfs.shutdown();
            }
            // the executors' copies of the 150 MB jar, per application
            deleteRecursively(work.resolve("spark/worker-dirs"));
        }
    }

    @Test
    @Order(1)
    void prepareJobShardsTheCorpusFromHdfs() throws Exception {
        assertJobExits(0, submit("prepare", "conf/prepare.conf", "prepare", "--set", "prepare.input=" + root + "/corpus",
                "--set", "prepare.output=" + root + "/prepared", "--set", "prepare.size=8", "--set", "prepare.channels=1",
                "--set", "prepare.validation-fraction=0"), "prepare");

        assertTrue(fs.exists(new Path(root + "/prepared/_SUCCESS")));
        PreparedManifest manifest;
        try (FSDataInputStream in = fs.open(new Path(root + "/prepared/manifest.json"))) {
            manifest = PreparedManifest.read(in);
        }
        assertEquals(48, manifest.images());
        assertEquals(0, manifest.rejected());
        assertEquals(TinyCorpus.CLASSES, manifest.classNames());
        assertEquals(Map.of("bars", 24L, "squares", 24L), manifest.imagesPerClass());
        assertEquals("1x8x8", manifest.shape().toString());
        long shards = Arrays.stream(fs.listStatus(new Path(root + "/prepared/shards")))
                .filter(s -> s.getPath().getName().endsWith(".parquet")).count();
        assertEquals(manifest.shards().files(), shards);
        assertTrue(text(new Path(root + "/prepared/report.html")).contains("<td>squares</td><td class=\"num\">24</td>"),
                "the run report, committed with the output on HDFS");
    }

    @Test
    @Order(2)
    void trainJobFinishesWhenAnExecutorJvmIsKilled() throws Exception {
        String runDir = root + "/runs/lost-executor";
        int epochs = 4;
        Process driver = submit("train", "conf/train.conf", "train-lost-executor", trainArgs(runDir, epochs));
        Path metrics = new Path(runDir, "metrics.jsonl");
        awaitWhileRunning(driver, () -> fs.exists(metrics) && !metricsRows(metrics).isEmpty(), "the first averaging round");

        List<ProcessHandle> executors = cluster.executors();
        assertEquals(2, executors.size(), "one executor per worker:\n" + cluster.processTree());
        int roundsBeforeKill = metricsRows(metrics).size();
        ProcessHandle victim = executors.get(0);
        victim.destroyForcibly();
        victim.onExit().get(30, TimeUnit.SECONDS);

        assertJobExits(0, driver, "train-lost-executor");
        assertTrue(roundsBeforeKill < epochs * ROUNDS_PER_EPOCH, "the executor died while the job ran");
        assertTrue(log("train-lost-executor").contains("Lost executor"), "the driver saw its executor go");

        CheckpointStore store = CheckpointStore.open(runDir, fs.getConf());
        LoadedCheckpoint latest = store.loadLatest().orElseThrow();
        assertEquals(epochs * STEPS_PER_EPOCH, latest.info().step());
        assertEquals(epochs, latest.info().epoch());
        assertEquals(latest.graph().numParams(), latest.emaParams().length(), "EMA of every parameter");
        List<String> rows = metricsRows(metrics);
        assertEquals(epochs * ROUNDS_PER_EPOCH, rows.size(), "one metrics row per averaging round: " + rows);
        assertTrue(loss(rows.get(rows.size() - 1)) < loss(rows.get(0)), "loss falls: " + rows);
        assertTrue(fs.getFileStatus(new Path(runDir, "samples/" + CheckpointStore.dirName(epochs * STEPS_PER_EPOCH)
                + ".png")).getLen() > 0, "the sample grid of the last epoch");
    }

    @Test
    @Order(3)
    void trainJobResumesFromLatestAfterItsDriverIsKilled() throws Exception {
        String runDir = root + "/runs/lost-driver";
        int epochs = 6;
        CheckpointStore store = CheckpointStore.open(runDir, fs.getConf());
        Process driver = submit("train", "conf/train.conf", "train-lost-driver", trainArgs(runDir, epochs));
        awaitWhileRunning(driver, () -> store.latest().isPresent(), "the first checkpoint");
        driver.destroyForcibly();
        driver.waitFor();
        long stepAtKill = store.latest().orElseThrow().step();
        assertTrue(stepAtKill < epochs * STEPS_PER_EPOCH, "the driver died before the end");
        cluster.awaitNoActiveApps(Duration.ofSeconds(60));

        // An existing run is not overwritten by accident: exit 2 before any cluster time is spent.
        assertJobExits(2, submit("train", "conf/train.conf", "train-no-resume", trainArgs(runDir, epochs)),
                "train-no-resume");
        assertTrue(log("train-no-resume").contains("already has checkpoints"), log("train-no-resume"));

        List<String> resume = new ArrayList<>(List.of(trainArgs(runDir, epochs)));
        resume.add("--resume");
        assertJobExits(0, submit("train", "conf/train.conf", "train-resumed", resume.toArray(String[]::new)),
                "train-resumed");
        assertTrue(log("train-resumed").contains("at step " + stepAtKill), "resumed from LATEST, step " + stepAtKill);
        LoadedCheckpoint latest = store.loadLatest().orElseThrow();
        assertEquals(epochs * STEPS_PER_EPOCH, latest.info().step());
        assertTrue(latest.info().step() > stepAtKill);
        String report = text(new Path(runDir, "report.html"));
        assertTrue(report.contains("<th>resumed</th><td>from step " + stepAtKill + "</td>"), "the report says so");
        assertTrue(report.contains("id=\"loss-curve\"><svg"), "the loss curve drawn as SVG from the shaded jar");
    }

    @Test
    @Order(4)
    void sampleJobWritesEveryImageOfEveryClassToHdfs() throws Exception {
        String output = root + "/samples";
        assertJobExits(0, submit("sample", "conf/sample.conf", "sample", "--set", "sample.run-dir=" + root
                + "/runs/lost-driver", "--set", "sample.output=" + output, "--set", "sample.per-class=5",
                "--set", "sample.steps=2", "--set", "sample.batch-size=4", "--set", "sample.images-per-unit=4",
                "--set", "sample.guidance=2"), "sample");

        assertTrue(fs.exists(new Path(output, "_SUCCESS")));
        assertTrue(fs.exists(new Path(output, "samples.parquet")));
        for (String className : TinyCorpus.CLASSES) {
            assertEquals(5, pngsUnder(new Path(output, "images/" + className)), "PNGs of class " + className);
        }
        assertEquals(10, pngsUnder(new Path(output, "images")), "no image outside the class folders");
        assertTrue(text(new Path(output, "report.html")).contains("<tr><th>bars</th><td><img src=\"data:image/png"),
                "the report's grid, read back from HDFS");
    }

    @Test
    @Order(5)
    void evaluateJobScoresTheSamplesAgainstThePreparedImages() throws Exception {
        String classifier = root + "/classifier";
        List<String> recipe = List.of("--set", "evaluate.classifier=" + classifier,
                "--set", "evaluate.classifier-training.epochs=2", "--set", "evaluate.classifier-training.batch-size=8",
                "--set", "evaluate.classifier-training.feature-width=8", "--set", "evaluate.batch-size=16");
        List<String> train = new ArrayList<>(recipe);
        train.addAll(List.of("--set", "evaluate.mode=train-classifier", "--set", "evaluate.data=" + root + "/prepared"));
        assertJobExits(0, submit("evaluate", "conf/evaluate.conf", "evaluate-classifier", train.toArray(String[]::new)),
                "evaluate-classifier");

        List<String> score = new ArrayList<>(recipe);
        score.addAll(List.of("--set", "evaluate.generated=" + root + "/samples",
                "--set", "evaluate.reference=" + root + "/prepared", "--set", "evaluate.reference-split=all",
                "--set", "evaluate.real-train=" + root + "/prepared", "--set", "evaluate.tstr-images=10",
                "--set", "evaluate.output=" + root + "/evaluation"));
        assertJobExits(0, submit("evaluate", "conf/evaluate.conf", "evaluate", score.toArray(String[]::new)),
                "evaluate");

        EvaluationReport report;
        try (FSDataInputStream in = fs.open(new Path(root + "/evaluation/metrics.json"))) {
            report = EvaluationReport.fromJson(in.readAllBytes());
        }
        assertEquals(10, report.inputs().generatedImages());
        assertEquals(48, report.inputs().referenceImages());
        assertTrue(Double.isFinite(report.frechetDistance()) && report.frechetDistance() >= 0, "FD " + report);
        assertTrue(report.classConsistency() >= 0 && report.classConsistency() <= 1, "consistency " + report);
        assertEquals(TinyCorpus.CLASSES, report.classes().stream().map(EvaluationReport.ClassRow::name).toList());
        assertTrue(report.classes().stream().allMatch(c -> c.generated() == 5 && c.reference() == 24), "" + report);
        assertEquals(10, report.trainOnSynthetic().trainImages());
        assertTrue(log("evaluate").contains("class consistency"), tail("evaluate"));
        assertTrue(text(new Path(root + "/evaluation/report.html")).contains("Fréchet distance"), "the scores' report");
        assertTrue(fs.exists(new Path(classifier, "report.html")), "the classifier's report");
    }

    private static String text(Path file) throws IOException {
        try (FSDataInputStream in = fs.open(file)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    @Order(6)
    void trainJobWithEightWorkersOnTwoExecutorsTrainsTheSameWeightsInEveryRun() throws Exception {
        // 8 partitions of 6 images on 2 executor JVMs, batch 2, averaging every step: each round's 8 results are
        // summed through a shuffle between the executors and reach the driver in whatever order they finish, and
        // the tasks land on whichever executor thread is free, among them the one that loaded ND4J (4 OpenMP
        // threads unless WorkerThreadsHook resets it)
        List<String> eightWorkers = new ArrayList<>();
        for (String set : List.of("train.workers=8", "train.batch-size=2", "train.averaging-frequency=1",
                "train.sample-every-epochs=0")) {
            eightWorkers.addAll(List.of("--set", set));
        }
        List<float[]> weights = new ArrayList<>();
        List<float[]> moments = new ArrayList<>();
        for (String name : List.of("train-8-workers-a", "train-8-workers-b")) {
            String runDir = root + "/runs/" + name;
            List<String> args = new ArrayList<>(List.of(trainArgs(runDir, 2)));
            args.addAll(eightWorkers);
            assertJobExits(0, submit("train", "conf/train.conf", name, args.toArray(String[]::new)), name);
            LoadedCheckpoint latest = CheckpointStore.open(runDir, fs.getConf()).loadLatest().orElseThrow();
            assertEquals(6, latest.info().step(), "2 epochs of 3 steps per worker");
            weights.add(latest.graph().params().toFloatVector());
            moments.add(latest.graph().getUpdater().getStateViewArray().toFloatVector());
        }
        assertTrue(Arrays.equals(weights.get(0), weights.get(1)), "the two runs' weights, bit for bit");
        assertTrue(Arrays.equals(moments.get(0), moments.get(1)), "the two runs' Adam moments, bit for bit");
    }

    private static long pngsUnder(Path dir) throws IOException {
        long count = 0;
        var files = fs.listFiles(dir, true);
        while (files.hasNext()) {
            if (files.next().getPath().getName().endsWith(".png")) {
                count++;
            }
        }
        return count;
    }

    /** Starts scripts/submit.sh JOB CONFIG with this cluster's Spark options; output to logs/NAME.log. */
    private static Process submit(String job, String config, String name, String... jobArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of(job, config,
                "--master", cluster.masterUrl(),
                "--properties-file", "conf/spark-defaults.conf",
                // sized for two 1 GB workers instead of the example's real machines
                "--conf", "spark.executor.memory=512m",
                "--conf", "spark.executor.cores=1",
                "--conf", "spark.executor.extraJavaOptions=-Dorg.bytedeco.javacpp.maxbytes=1g"
                        + " -Dorg.bytedeco.javacpp.maxphysicalbytes=2g",
                "--conf", "spark.ui.enabled=false",
                "--"));
        args.addAll(List.of(jobArgs));
        return Scripts.start(repo, work.resolve("logs/" + name + ".log"), "scripts/submit.sh",
                args.toArray(String[]::new));
    }

    private static String[] trainArgs(String runDir, int epochs) {
        List<String> args = new ArrayList<>(List.of("--set", "train.data=" + root + "/prepared",
                "--set", "train.run-dir=" + runDir, "--set", "train.epochs=" + epochs,
                "--set", "train.sample-every-epochs=" + epochs));
        for (String set : TINY_TRAINING) {
            args.add("--set");
            args.add(set);
        }
        return args.toArray(String[]::new);
    }

    private static void assertJobExits(int expected, Process process, String name) throws Exception {
        if (!process.waitFor(JOB_TIMEOUT.toMinutes(), TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(name + " still running after " + JOB_TIMEOUT + ":\n" + tail(name));
        }
        assertEquals(expected, process.exitValue(), name + " exit code; its log ends:\n" + tail(name));
    }

    private static void awaitWhileRunning(Process driver, Check condition, String what) throws Exception {
        long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
        while (!condition.test()) {
            if (!driver.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the driver " + (driver.isAlive() ? "is still waiting for " : "exited before ")
                        + what);
            }
            Thread.sleep(200);
        }
    }

    /** A condition polled on HDFS. */
    private interface Check {
        boolean test() throws Exception;
    }

    /** The rows of metrics.jsonl, which the driver replaces (write temporary, rename) after every round. */
    private static List<String> metricsRows(Path metrics) throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try (FSDataInputStream in = fs.open(metrics)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
            } catch (java.io.FileNotFoundException e) {
                if (attempt == 10) {
                    throw e;
                }
                Thread.sleep(100); // caught between the old file's removal and the new one's rename
            }
        }
    }

    private static double loss(String jsonRow) {
        int at = jsonRow.indexOf("\"loss\":") + 7;
        return Double.parseDouble(jsonRow.substring(at, jsonRow.indexOf(',', at)));
    }

    private static String log(String name) throws IOException {
        return Files.readString(work.resolve("logs/" + name + ".log"));
    }

    private static String tail(String name) throws IOException {
        List<String> lines = log(name).lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static void deleteRecursively(java.nio.file.Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (java.nio.file.Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
