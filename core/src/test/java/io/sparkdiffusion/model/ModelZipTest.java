package io.sparkdiffusion.model;

import io.sparkdiffusion.config.InputError;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A crafted model.zip whose preprocessor.bin holds a serialized object with a readObject side effect: loading it
 * must be refused before Java deserialization runs.
 */
class ModelZipTest {

    /** Stands for a gadget: deserializing it runs code. */
    static final class SideEffect implements Serializable {
        private static final long serialVersionUID = 1L;
        static volatile boolean ran;

        private void readObject(java.io.ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            ran = true;
        }
    }

    @Test
    void aModelFileWithAPreprocessorEntryIsRefusedBeforeItsObjectIsDeserialized() throws Exception {
        SideEffect.ran = false;
        byte[] crafted = zip(ModelSerializer.CONFIGURATION_JSON, "{}".getBytes(),
                ModelSerializer.PREPROCESSOR_BIN, serialized(new SideEffect()));
        InputError refused = assertThrows(InputError.class, () -> ModelZip.readGraph(crafted, false, "crafted.zip"));
        assertTrue(refused.getMessage().contains("preprocessor.bin"), refused.getMessage());
        assertTrue(refused.getMessage().contains("crafted.zip"), refused.getMessage());
        assertFalse(SideEffect.ran, "the crafted object was deserialized");
        assertThrows(InputError.class, () -> ModelZip.readMultiLayer(crafted, false, "crafted.zip"));
        assertFalse(SideEffect.ran, "the crafted object was deserialized");
    }

    @Test
    void anyEntryThisProjectNeverWritesIsRefused() throws Exception {
        byte[] withObject = zip(ModelSerializer.CONFIGURATION_JSON, "{}".getBytes(), "objects/x", new byte[1]);
        assertThrows(InputError.class, () -> ModelZip.checkEntries(withObject, "x.zip"));
    }

    @Test
    void theEntriesModelSerializerWritesArePassed() throws Exception {
        ModelZip.checkEntries(zip(ModelSerializer.CONFIGURATION_JSON, new byte[1], ModelSerializer.COEFFICIENTS_BIN,
                new byte[1], ModelSerializer.UPDATER_BIN, new byte[1]), "ok.zip");
    }

    static byte[] serialized(Object object) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        }
        return bytes.toByteArray();
    }

    static byte[] zip(Object... namesAndBytes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (int i = 0; i < namesAndBytes.length; i += 2) {
                zip.putNextEntry(new ZipEntry((String) namesAndBytes[i]));
                zip.write((byte[]) namesAndBytes[i + 1]);
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
