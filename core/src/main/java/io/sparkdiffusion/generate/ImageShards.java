package io.sparkdiffusion.generate;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Image shards: Parquet files with one row per generated image, its PNG bytes and its {@link GeneratedImage}
 * record. The image column is a struct of {@code bytes} and {@code path}, the layout of Hugging Face
 * {@code datasets}' Image feature, and the footer carries the {@code huggingface} features key, so
 * {@code load_dataset("parquet", data_files=...)} yields decoded images; Spark, DuckDB and pyarrow read the
 * struct as it is.
 */
public final class ImageShards {
    public static final MessageType SCHEMA = MessageTypeParser.parseMessageType("""
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

    /** The features of {@code datasets} for {@link #SCHEMA}: an Image, and plain values for the rest. */
    static final String HUGGING_FACE_FEATURES = """
            {"info": {"features": {"id": {"dtype": "string", "_type": "Value"}, "image": {"_type": "Image"}, \
            "label": {"dtype": "int32", "_type": "Value"}, "class_name": {"dtype": "string", "_type": "Value"}, \
            "seed": {"dtype": "int64", "_type": "Value"}, "source_id": {"dtype": "string", "_type": "Value"}, \
            "sampler": {"dtype": "string", "_type": "Value"}, "steps": {"dtype": "int32", "_type": "Value"}, \
            "eta": {"dtype": "float64", "_type": "Value"}, "guidance": {"dtype": "float64", "_type": "Value"}, \
            "strength": {"dtype": "float64", "_type": "Value"}, "weights": {"dtype": "string", "_type": "Value"}, \
            "checkpoint": {"dtype": "string", "_type": "Value"}, \
            "checkpoint_step": {"dtype": "int64", "_type": "Value"}}}}""";

    private ImageShards() {
    }

    /** Writes one shard of these images, in this order. */
    public static void write(Configuration conf, Path file, List<GeneratedImage> images, List<byte[]> pngs)
            throws IOException {
        if (images.size() != pngs.size()) {
            throw new IllegalArgumentException(images.size() + " images but " + pngs.size() + " PNGs");
        }
        SimpleGroupFactory rows = new SimpleGroupFactory(SCHEMA);
        try (ParquetWriter<Group> writer = writer(conf, file)) {
            for (int i = 0; i < images.size(); i++) {
                writer.write(row(rows, images.get(i), pngs.get(i)));
            }
        }
    }

    /**
     * Writes the rows of {@code inputs}, file after file, into one shard.
     *
     * @return the rows written
     */
    public static long concatenate(Configuration conf, List<Path> inputs, Path output) throws IOException {
        long rows = 0;
        try (ParquetWriter<Group> writer = writer(conf, output)) {
            for (Path input : inputs) {
                try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), input).withConf(conf)
                        .build()) {
                    for (Group row = reader.read(); row != null; row = reader.read()) {
                        writer.write(row);
                        rows++;
                    }
                }
            }
        }
        return rows;
    }

    private static ParquetWriter<Group> writer(Configuration conf, Path file) throws IOException {
        return ExampleParquetWriter.builder(HadoopOutputFile.fromPath(file, conf))
                .withConf(conf)
                .withType(SCHEMA)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                // PNG is compressed already, and the other columns are a few bytes a row
                .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
                .withDictionaryEncoding("image.bytes", false)
                .withExtraMetaData(Map.of("huggingface", HUGGING_FACE_FEATURES))
                .build();
    }

    private static Group row(SimpleGroupFactory rows, GeneratedImage image, byte[] png) {
        Group row = rows.newGroup().append("id", image.id());
        row.addGroup("image").append("bytes", Binary.fromConstantByteArray(png))
                .append("path", image.path());
        row.append("label", image.label());
        if (image.className() != null) {
            row.append("class_name", image.className());
        }
        row.append("seed", image.seed());
        if (image.sourceId() != null) {
            row.append("source_id", image.sourceId());
        }
        row.append("sampler", image.sampler()).append("steps", image.steps()).append("eta", image.eta())
                .append("guidance", image.guidance());
        if (image.strength() != null) {
            row.append("strength", image.strength());
        }
        return row.append("weights", image.weights()).append("checkpoint", image.checkpoint())
                .append("checkpoint_step", image.checkpointStep());
    }
}
