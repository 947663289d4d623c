package io.sparkdiffusion.model;

import io.sparkdiffusion.config.InputError;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Reads DL4J model files ({@code model.zip}) through {@link ModelSerializer}, but only those holding the entries
 * this project writes. ModelSerializer deserializes a {@code preprocessor.bin} entry with a plain
 * ObjectInputStream, so a crafted model file could run code on load: any entry outside the list below is refused
 * (InputError, exit 2) before ModelSerializer sees the bytes. Checkpoints remain as trusted as code (the JSON
 * configuration names DL4J classes); this closes the one path that takes arbitrary Java objects.
 */
public final class ModelZip {

    /** What ModelSerializer.writeModel writes for a network without a normalizer (updater state optional). */
    static final Set<String> ALLOWED_ENTRIES = Set.of(ModelSerializer.CONFIGURATION_JSON,
            ModelSerializer.COEFFICIENTS_BIN, ModelSerializer.UPDATER_BIN, ModelSerializer.NO_PARAMS_MARKER);

    private ModelZip() {
    }

    public static ComputationGraph readGraph(byte[] zip, boolean loadUpdater, String source) throws IOException {
        checkEntries(zip, source);
        return ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(zip), loadUpdater);
    }

    public static ComputationGraph readGraph(InputStream in, boolean loadUpdater, String source) throws IOException {
        return readGraph(in.readAllBytes(), loadUpdater, source);
    }

    public static MultiLayerNetwork readMultiLayer(byte[] zip, boolean loadUpdater, String source) throws IOException {
        checkEntries(zip, source);
        return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(zip), loadUpdater);
    }

    /**
     * Refuses a model file with an entry this project never writes. Walks the entries as ModelSerializer does
     * (a ZipInputStream over the same bytes), so both see the same names.
     */
    public static void checkEntries(byte[] zip, String source) throws IOException {
        try (ZipInputStream entries = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
                if (!ALLOWED_ENTRIES.contains(entry.getName())) {
                    throw new InputError("refusing model file " + source + ": it holds '" + entry.getName()
                            + "', which this project never writes (" + ModelSerializer.PREPROCESSOR_BIN
                            + " would be read with Java deserialization); only " + ALLOWED_ENTRIES.stream().sorted()
                            .toList() + " are accepted");
                }
            }
        }
    }
}
