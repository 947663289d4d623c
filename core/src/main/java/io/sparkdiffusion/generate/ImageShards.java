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
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import static io.sparkdiffusion.generate.GeneratedColumns.*;
import static org.apache.parquet.schema.LogicalTypeAnnotation.stringType;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.DOUBLE;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT32;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64;

/**
 * Image shards: Parquet files with one row per generated image, its PNG bytes and its {@link GeneratedImage}
 * record, in the columns of {@link GeneratedColumns}. The image column is a struct of {@code bytes} and
 * {@code path}, the layout of Hugging Face {@code datasets}' Image feature, and the footer carries the
 * {@code huggingface} features key, so {@code load_dataset("parquet", data_files=...)} yields decoded images; Spark,
 * DuckDB and pyarrow read the struct as it is.
 */
public final class ImageShards {
    public static final MessageType SCHEMA = Types.buildMessage()
            .required(BINARY).as(stringType()).named(ID)
            .optionalGroup()
                .optional(BINARY).named(BYTES)
                .optional(BINARY).as(stringType()).named(PATH)
                .named(IMAGE)
            .required(INT32).named(LABEL)
            .optional(BINARY).as(stringType()).named(CLASS_NAME)
            .required(INT64).named(SEED)
            .optional(BINARY).as(stringType()).named(SOURCE_ID)
            .required(BINARY).as(stringType()).named(SAMPLER)
            .required(INT32).named(STEPS)
            .required(DOUBLE).named(ETA)
            .required(DOUBLE).named(GUIDANCE)
            .optional(DOUBLE).named(STRENGTH)
            .required(BINARY).as(stringType()).named(WEIGHTS)
            .required(BINARY).as(stringType()).named(CHECKPOINT)
            .required(INT64).named(CHECKPOINT_STEP)
            .named("image_shard");

    /** The features of {@code datasets} for {@link #SCHEMA}: an Image, and plain values for the rest. */
    static final String HUGGING_FACE_FEATURES = huggingFaceFeatures();

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
                .withDictionaryEncoding(IMAGE_BYTES, false)
                .withExtraMetaData(Map.of("huggingface", HUGGING_FACE_FEATURES))
                .build();
    }

    private static Group row(SimpleGroupFactory rows, GeneratedImage image, byte[] png) {
        Group row = rows.newGroup().append(ID, image.id());
        row.addGroup(IMAGE).append(BYTES, Binary.fromConstantByteArray(png))
                .append(PATH, image.path());
        row.append(LABEL, image.label());
        if (image.className() != null) {
            row.append(CLASS_NAME, image.className());
        }
        row.append(SEED, image.seed());
        if (image.sourceId() != null) {
            row.append(SOURCE_ID, image.sourceId());
        }
        row.append(SAMPLER, image.sampler()).append(STEPS, image.steps()).append(ETA, image.eta())
                .append(GUIDANCE, image.guidance());
        if (image.strength() != null) {
            row.append(STRENGTH, image.strength());
        }
        return row.append(WEIGHTS, image.weights()).append(CHECKPOINT, image.checkpoint())
                .append(CHECKPOINT_STEP, image.checkpointStep());
    }

    /**
     * The {@code huggingface} footer value for {@link #SCHEMA}, one feature per column in its order: datasets takes
     * the features only when they name the whole schema.
     */
    private static String huggingFaceFeatures() {
        StringJoiner features = new StringJoiner(", ", "{\"info\": {\"features\": {", "}}}");
        for (Type column : SCHEMA.getFields()) {
            String feature = column.getName().equals(IMAGE) ? "{\"_type\": \"Image\"}"
                    : "{\"dtype\": \"" + dtype(column.asPrimitiveType()) + "\", \"_type\": \"Value\"}";
            features.add("\"" + column.getName() + "\": " + feature);
        }
        return features.toString();
    }

    /** The {@code datasets} Value dtype of a column. */
    private static String dtype(PrimitiveType column) {
        return switch (column.getPrimitiveTypeName()) {
            case BINARY -> "string"; // every binary column but the image's bytes is a string
            case INT32 -> "int32";
            case INT64 -> "int64";
            case DOUBLE -> "float64";
            default -> throw new IllegalStateException("no datasets dtype for " + column);
        };
    }
}
