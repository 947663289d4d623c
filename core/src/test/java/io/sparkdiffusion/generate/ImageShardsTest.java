package io.sparkdiffusion.generate;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageShardsTest {
    @TempDir
    java.nio.file.Path tmp;

    private final Configuration conf = new Configuration();

    private static GeneratedImage image(int i, boolean variation) {
        return new GeneratedImage(String.format("%08d", i), "images/c" + i % 2 + "/" + i + ".png", i % 2,
                i % 2 == 0 ? "cat" : null, 1000L + i, variation ? "src-" + i : null, "ddim", 50, 0.0, 3.0,
                variation ? 0.5 : null, "ema", "hdfs:///runs/a/checkpoints/step-0000100", 100);
    }

    private static byte[] png(int i) {
        byte[] bytes = new byte[100 + i];
        for (int k = 0; k < bytes.length; k++) {
            bytes[k] = (byte) (k * 31 + i);
        }
        return bytes;
    }

    /** The rows of a shard, read back. */
    static List<Group> rows(Configuration conf, Path file) throws Exception {
        List<Group> rows = new ArrayList<>();
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), file).withConf(conf).build()) {
            for (Group row = reader.read(); row != null; row = reader.read()) {
                rows.add(row);
            }
        }
        return rows;
    }

    @Test
    void aShardHoldsEveryImagesBytesAndRecordInOrder() throws Exception {
        Path file = new Path(tmp.resolve("a.parquet").toUri());
        List<GeneratedImage> images = List.of(image(0, false), image(1, true), image(2, false));
        ImageShards.write(conf, file, images, List.of(png(0), png(1), png(2)));

        List<Group> rows = rows(conf, file);
        assertEquals(3, rows.size());
        for (int i = 0; i < 3; i++) {
            Group row = rows.get(i);
            GeneratedImage want = images.get(i);
            assertEquals(want.id(), row.getString("id", 0));
            Group image = row.getGroup("image", 0);
            assertArrayEquals(png(i), image.getBinary("bytes", 0).getBytes());
            assertEquals(want.path(), image.getString("path", 0));
            assertEquals(want.label(), row.getInteger("label", 0));
            assertEquals(want.seed(), row.getLong("seed", 0));
            assertEquals(want.className() == null ? 0 : 1, row.getFieldRepetitionCount("class_name"), "null stays null");
            assertEquals(want.sourceId() == null ? 0 : 1, row.getFieldRepetitionCount("source_id"));
            assertEquals(want.strength() == null ? 0 : 1, row.getFieldRepetitionCount("strength"));
            assertEquals(3.0, row.getDouble("guidance", 0));
            assertEquals(100, row.getLong("checkpoint_step", 0));
        }
        assertEquals("src-1", rows.get(1).getString("source_id", 0));
        assertEquals(0.5, rows.get(1).getDouble("strength", 0));
    }

    @Test
    void theFooterTellsHuggingFaceDatasetsThatTheImageColumnIsAnImage() throws Exception {
        Path file = new Path(tmp.resolve("hf.parquet").toUri());
        ImageShards.write(conf, file, List.of(image(0, false)), List.of(png(0)));
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
            String features = reader.getFileMetaData().getKeyValueMetaData().get("huggingface");
            assertTrue(features != null && features.contains("\"image\": {\"_type\": \"Image\"}"), features);
            // every column has a feature: datasets takes the features only when they name the whole schema
            for (var field : ImageShards.SCHEMA.getFields()) {
                assertTrue(features.contains("\"" + field.getName() + "\": {"), field.getName());
            }
            var image = reader.getFileMetaData().getSchema().getType("image").asGroupType();
            assertEquals(List.of("bytes", "path"), image.getFields().stream().map(f -> f.getName()).toList());
        }
    }

    /**
     * Shards already written, and readers outside this project, know the format by these names and types: the
     * schema and footer built from {@link GeneratedColumns} must stay the ones first written out by hand here.
     */
    @Test
    void theSchemaAndTheFooterAreThoseOfTheFormatAsFirstWritten() {
        MessageType asWritten = MessageTypeParser.parseMessageType("""
                message image_shard {
                  required binary id (STRING);
                  optional group image {
                    optional binary bytes;
                    optional binary path (STRING);
                  }
                  required int32 label;
                  optional binary class_name (STRING);
                  required int64 seed;
                  optional binary source_id (STRING);
                  required binary sampler (STRING);
                  required int32 steps;
                  required double eta;
                  required double guidance;
                  optional double strength;
                  required binary weights (STRING);
                  required binary checkpoint (STRING);
                  required int64 checkpoint_step;
                }""");
        assertEquals(asWritten, ImageShards.SCHEMA);
        assertEquals(asWritten.toString(), ImageShards.SCHEMA.toString(), "logical types too");
        assertEquals("""
                {"info": {"features": {"id": {"dtype": "string", "_type": "Value"}, "image": {"_type": "Image"}, \
                "label": {"dtype": "int32", "_type": "Value"}, "class_name": {"dtype": "string", "_type": "Value"}, \
                "seed": {"dtype": "int64", "_type": "Value"}, "source_id": {"dtype": "string", "_type": "Value"}, \
                "sampler": {"dtype": "string", "_type": "Value"}, "steps": {"dtype": "int32", "_type": "Value"}, \
                "eta": {"dtype": "float64", "_type": "Value"}, "guidance": {"dtype": "float64", "_type": "Value"}, \
                "strength": {"dtype": "float64", "_type": "Value"}, "weights": {"dtype": "string", "_type": "Value"}, \
                "checkpoint": {"dtype": "string", "_type": "Value"}, \
                "checkpoint_step": {"dtype": "int64", "_type": "Value"}}}}""", ImageShards.HUGGING_FACE_FEATURES);
    }

    @Test
    void concatenatingKeepsEveryRowInFileOrder() throws Exception {
        List<Path> parts = new ArrayList<>();
        int next = 0;
        for (int part = 0; part < 3; part++) {
            List<GeneratedImage> images = new ArrayList<>();
            List<byte[]> pngs = new ArrayList<>();
            for (int k = 0; k <= part; k++, next++) {
                images.add(image(next, next % 3 == 0));
                pngs.add(png(next));
            }
            Path file = new Path(tmp.resolve("part" + part + ".parquet").toUri());
            ImageShards.write(conf, file, images, pngs);
            parts.add(file);
        }
        Path merged = new Path(tmp.resolve("merged.parquet").toUri());
        assertEquals(6, ImageShards.concatenate(conf, parts, merged), "rows written");

        List<Group> rows = rows(conf, merged);
        assertEquals(6, rows.size());
        for (int i = 0; i < 6; i++) {
            assertEquals(String.format("%08d", i), rows.get(i).getString("id", 0));
            assertArrayEquals(png(i), rows.get(i).getGroup("image", 0).getBinary("bytes", 0).getBytes());
            assertEquals(i % 3 == 0 ? 1 : 0, rows.get(i).getFieldRepetitionCount("source_id"));
        }
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(merged, conf))) {
            assertFalse(reader.getFileMetaData().getKeyValueMetaData().get("huggingface").isEmpty());
        }
    }

    @Test
    void imagesAndPngsMustPair() {
        assertThrows(IllegalArgumentException.class, () -> ImageShards.write(conf,
                new Path(tmp.resolve("x.parquet").toUri()), List.of(image(0, false)), List.of()));
    }
}
