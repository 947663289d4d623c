package io.sparkdiffusion.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class CheckpointStoreTest {

    @TempDir
    java.nio.file.Path temp;

    private java.nio.file.Path checkpoints;
    private CheckpointStore store;

    @BeforeEach
    void openStore() throws IOException {
        // A file:// URI, as a job would get it; the store only talks to Hadoop's FileSystem.
        store = CheckpointStore.open(temp.resolve("run").toUri().toString(), new Configuration());
        checkpoints = temp.resolve("run").resolve("checkpoints");
    }

    /** Dense + output layer with Adam, trained two steps so that the updater state is not zero. */
    static ComputationGraph tinyGraph(long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed).updater(new Adam(1e-2)).dataType(DataType.FLOAT)
                .graphBuilder()
                .addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(5).nOut(3)
                        .activation(Activation.IDENTITY).build(), "dense")
                .setOutputs("out")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        Nd4j.getRandom().setSeed(seed);
        DataSet data = new DataSet(Nd4j.rand(DataType.FLOAT, 8, 4), Nd4j.rand(DataType.FLOAT, 8, 3));
        graph.fit(data);
        graph.fit(data);
        return graph;
    }

    private CheckpointRef saveStep(long step) throws IOException {
        ComputationGraph graph = tinyGraph(step);
        return store.save(CheckpointInfoTest.sampleInfo(step), graph, graph.params().mul(0.5));
    }

    private String latestFile() throws IOException {
        return Files.readString(checkpoints.resolve("LATEST"), StandardCharsets.UTF_8).trim();
    }

    @Test
    void saveThenLoadRestoresParamsUpdaterEmaAndInfo() throws IOException {
        ComputationGraph graph = tinyGraph(7);
        INDArray ema = graph.params().dup().addi(0.125f);
        CheckpointInfo info = CheckpointInfoTest.sampleInfo(1200);

        CheckpointRef ref = store.save(info, graph, ema);
        assertEquals(1200, ref.step());
        assertEquals("step-0001200", ref.name());
        for (String file : List.of("model.zip", "ema.bin", "checkpoint.json")) {
            assertTrue(Files.isRegularFile(checkpoints.resolve("step-0001200").resolve(file)), file);
        }
        assertEquals("step-0001200", latestFile());

        LoadedCheckpoint loaded = store.loadLatest().orElseThrow();
        assertEquals(info, loaded.info());
        assertEquals(graph.params(), loaded.graph().params());
        INDArray updaterState = graph.getUpdater().getStateViewArray();
        assertTrue(updaterState.amaxNumber().doubleValue() > 0, "Adam state should be non-zero after fitting");
        assertEquals(updaterState, loaded.graph().getUpdater().getStateViewArray());
        assertEquals(ema, loaded.emaParams());
        assertEquals(graph.getConfiguration().toJson(), loaded.graph().getConfiguration().toJson());

        // The same directory loads without the store too (a job's sample.checkpoint).
        LoadedCheckpoint direct = CheckpointStore.loadDir(checkpoints.resolve("step-0001200").toUri().toString(),
                new Configuration());
        assertEquals(ema, direct.emaParams());
        assertEquals(null, loaded.outerMomentum(), "no outer momentum saved, none loaded");
    }

    @Test
    void theOuterMomentumTravelsWithTheCheckpointBitForBit() throws IOException {
        ComputationGraph graph = tinyGraph(8);
        INDArray momentum = Nd4j.rand(DataType.FLOAT, graph.params().shape()).subi(0.5f).muli(1e-3f);
        store.save(CheckpointInfoTest.sampleInfo(40), graph, graph.params(), momentum);
        assertTrue(Files.isRegularFile(checkpoints.resolve("step-0000040").resolve("outer-momentum.bin")));
        LoadedCheckpoint loaded = store.loadLatest().orElseThrow();
        org.junit.jupiter.api.Assertions.assertArrayEquals(momentum.dup().data().asFloat(),
                loaded.outerMomentum().dup().data().asFloat());
        assertThrows(IllegalArgumentException.class,
                () -> store.save(CheckpointInfoTest.sampleInfo(41), graph, graph.params(), Nd4j.zeros(DataType.FLOAT, 3)));
    }

    @Test
    void latestFollowsTheNewestSaveAndListIsOrdered() throws IOException {
        assertEquals(Optional.empty(), store.latest());
        assertEquals(List.of(), store.list());
        saveStep(3);
        saveStep(12);
        assertEquals(12, store.latest().orElseThrow().step());
        assertEquals("step-0000012", latestFile());
        assertEquals(List.of(3L, 12L), steps(store.list()));
        assertEquals(3, store.readInfo(store.list().get(0)).step());
        assertEquals(3, store.load(3).info().step());
        assertEquals(List.of(), leftovers());
    }

    @Test
    void savingAnExistingStepReplacesIt() throws IOException {
        saveStep(5);
        ComputationGraph second = tinyGraph(99);
        store.save(CheckpointInfoTest.sampleInfo(5).withEma(0.5, 1), second, second.params());
        LoadedCheckpoint loaded = store.load(5);
        assertEquals(second.params(), loaded.graph().params());
        assertEquals(0.5, loaded.info().emaDecay());
        assertEquals(List.of(5L), steps(store.list()));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void keepLastDeletesOlderButNeverWhatLatestNames() throws IOException {
        for (long step : new long[]{1, 2, 3, 4}) {
            saveStep(step);
        }
        assertEquals(List.of(1L, 2L), steps(store.keepLast(2)));
        assertEquals(List.of(3L, 4L), steps(store.list()));

        saveStep(5);
        // A user rolled LATEST back to step 3: keepLast(1) must keep it.
        Files.writeString(checkpoints.resolve("LATEST"), "step-0000003\n");
        assertEquals(List.of(4L), steps(store.keepLast(1)));
        assertEquals(List.of(3L, 5L), steps(store.list()));
        assertEquals(3, store.latest().orElseThrow().step());
        assertThrows(IllegalArgumentException.class, () -> store.keepLast(0));
    }

    @Test
    void crashedSavesAreIgnoredAndLatestFallsBack() throws IOException {
        saveStep(1);
        saveStep(2);
        // A crash while writing step 3 (temporary directory left) and a directory of step 4 without its info
        // (e.g. a half-copied rename on s3a).
        java.nio.file.Path tmp = Files.createDirectories(checkpoints.resolve("_tmp-step-0000003-dead"));
        Files.write(tmp.resolve("model.zip"), new byte[]{1});
        java.nio.file.Path half = Files.createDirectories(checkpoints.resolve("step-0000004"));
        Files.write(half.resolve("model.zip"), new byte[]{1});
        Files.write(half.resolve("ema.bin"), new byte[]{1});
        Files.writeString(checkpoints.resolve("LATEST.tmp-dead"), "step-0000004\n");

        assertEquals(List.of(1L, 2L), steps(store.list()));
        assertEquals(2, store.latest().orElseThrow().step());

        // LATEST missing (crash between delete and rename), naming an incomplete directory, or garbage.
        Files.delete(checkpoints.resolve("LATEST"));
        assertEquals(2, store.latest().orElseThrow().step());
        Files.writeString(checkpoints.resolve("LATEST"), "step-0000004\n");
        assertEquals(2, store.latest().orElseThrow().step());
        Files.writeString(checkpoints.resolve("LATEST"), "../../etc\n");
        assertEquals(2, store.latest().orElseThrow().step());
        assertEquals(2, store.loadLatest().orElseThrow().info().step());

        FileNotFoundException incomplete = assertThrows(FileNotFoundException.class, () -> store.load(4));
        assertTrue(incomplete.getMessage().endsWith("step-0000004 has no checkpoint.json"), incomplete.getMessage());

        // Clean-up removes the temporaries but not the incomplete step directory or any checkpoint.
        List<Path> removed = store.deleteLeftovers();
        assertEquals(2, removed.size());
        assertEquals(List.of(), leftovers());
        assertTrue(Files.isDirectory(half));
        assertEquals(List.of(1L, 2L), steps(store.list()));

        // The next save repairs LATEST.
        saveStep(6);
        assertEquals("step-0000006", latestFile());
    }

    @Test
    void replacedCheckpointLeftAsideIsKeptUntilItsStepIsComplete() throws IOException {
        saveStep(1);
        java.nio.file.Path aside = Files.createDirectories(checkpoints.resolve("_old-step-0000007-dead"));
        Files.write(aside.resolve("model.zip"), new byte[]{1});
        store.deleteLeftovers();
        assertTrue(Files.isDirectory(aside), "only copy of step 7: keep");
        saveStep(7);
        store.deleteLeftovers();
        assertFalse(Files.exists(aside));
    }

    @Test
    void emaOfTheWrongLengthIsRefused() {
        ComputationGraph graph = tinyGraph(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> store.save(CheckpointInfoTest.sampleInfo(1), graph, Nd4j.zeros(DataType.FLOAT, 3)));
        assertEquals("EMA vector has 3 values, the network 43 parameters", e.getMessage());
    }

    private static List<Long> steps(List<CheckpointRef> refs) {
        return refs.stream().map(CheckpointRef::step).toList();
    }

    private List<String> leftovers() throws IOException {
        try (var names = Files.list(checkpoints)) {
            return names.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("_") || n.contains(".tmp-"))
                    .sorted().toList();
        }
    }

    /** Stands for a deserialization gadget: reading it back runs code. */
    static final class SideEffect implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        static volatile boolean ran;

        private void readObject(java.io.ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            ran = true;
        }
    }

    @Test
    void aModelFileWithAPreprocessorEntryIsRefusedWithoutDeserializingIt() throws Exception {
        CheckpointRef ref = saveStep(3);
        java.nio.file.Path model = checkpoints.resolve(CheckpointStore.dirName(3)).resolve(CheckpointStore.MODEL_FILE);
        // the saved model.zip plus a preprocessor.bin entry holding the "gadget"
        java.io.ByteArrayOutputStream crafted = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(Files.newInputStream(model));
             java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(crafted)) {
            for (java.util.zip.ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                in.transferTo(out);
            }
            out.putNextEntry(new java.util.zip.ZipEntry("preprocessor.bin"));
            try (java.io.ObjectOutputStream object = new java.io.ObjectOutputStream(out) {
                @Override
                public void close() throws IOException {
                    flush(); // leaves the zip open
                }
            }) {
                object.writeObject(new SideEffect());
            }
        }
        Files.write(model, crafted.toByteArray());
        Files.deleteIfExists(model.resolveSibling("." + CheckpointStore.MODEL_FILE + ".crc")); // Hadoop's checksum
        SideEffect.ran = false;

        io.sparkdiffusion.config.InputError refused =
                assertThrows(io.sparkdiffusion.config.InputError.class, () -> store.load(ref));
        assertTrue(refused.getMessage().contains("preprocessor.bin"), refused.getMessage());
        String dir = checkpoints.resolve(CheckpointStore.dirName(3)).toUri().toString();
        assertThrows(io.sparkdiffusion.config.InputError.class, () -> io.sparkdiffusion.generate.ModelBytes.read(
                new Path(dir), store.readInfo(ref), false, new Configuration()));
        assertFalse(SideEffect.ran, "loading the checkpoint deserialized the crafted object");
    }
}
