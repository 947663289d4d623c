package io.sparkdiffusion.generate;

/**
 * What is recorded of one generated image: a row of {@code samples.parquet} and, with its PNG bytes, of an image
 * shard. SampleJob leaves {@code sourceId} and {@code strength} null; AugmentJob names the varied image and how far
 * it was noised.
 *
 * @param path the image's path relative to the output, as the PNG tree has it
 */
public record GeneratedImage(String id, String path, int label, String className, long seed, String sourceId,
                             String sampler, int steps, double eta, double guidance, Double strength, String weights,
                             String checkpoint, long checkpointStep) {
}
