package io.sparkdiffusion.generate;

import io.sparkdiffusion.data.LabeledImage;
import io.sparkdiffusion.diffusion.ImageNoise;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.image.Pixels;
import io.sparkdiffusion.image.PngImages;
import io.sparkdiffusion.model.UNetSpec;
import io.sparkdiffusion.sampling.Denoiser;
import io.sparkdiffusion.sampling.GuidedDenoiser;
import io.sparkdiffusion.sampling.Sampler;
import io.sparkdiffusion.sampling.SdEdit;
import io.sparkdiffusion.schedule.NoiseSchedule;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns planned images into PNG bytes with one denoiser: batches of {@link Recipe#batchSize()} in the order
 * given; an image from noise goes through the sampler, a variation through {@link SdEdit}. A conditional
 * model is guided toward each image's label; an unconditional one gets no labels (the label is still what the
 * image is filed under).
 */
public final class ImageGenerator {
    private final Denoiser denoiser;
    private final UNetSpec spec;
    private final Sampler sampler;
    private final SdEdit sdEdit;
    private final Recipe recipe;

    public ImageGenerator(Denoiser network, UNetSpec spec, NoiseSchedule schedule, Recipe recipe) {
        this.denoiser = spec.conditional() ? new GuidedDenoiser(network, recipe.guidance()) : network;
        this.spec = spec;
        this.sampler = recipe.newSampler(schedule);
        this.sdEdit = new SdEdit(sampler, schedule);
        this.recipe = recipe;
    }

    /** One PNG per image, in the order given. */
    public List<byte[]> pngs(List<PlannedImage> images) {
        List<byte[]> out = new ArrayList<>(images.size());
        for (int from = 0; from < images.size(); from += recipe.batchSize()) {
            List<PlannedImage> batch = images.subList(from, Math.min(images.size(), from + recipe.batchSize()));
            INDArray x0 = generate(batch);
            for (int i = 0; i < batch.size(); i++) {
                out.add(PngImages.encode(x0.slice(i)));
            }
        }
        return out;
    }

    /** x_0 [N, C, H, W] in [−1, 1] for one batch: all from noise or all variations. */
    INDArray generate(List<PlannedImage> batch) {
        int n = batch.size();
        long[] seeds = new long[n];
        int[] labels = spec.conditional() ? new int[n] : null;
        boolean variations = batch.get(0).isVariation();
        for (int i = 0; i < n; i++) {
            PlannedImage image = batch.get(i);
            if (image.isVariation() != variations) {
                throw new IllegalArgumentException("a batch mixes variations and images from noise");
            }
            seeds[i] = image.seed();
            if (labels != null) {
                labels[i] = image.label() < 0 ? Denoiser.NO_LABEL : image.label();
            }
        }
        ImageShape shape = new ImageShape(spec.imageChannels(), spec.imageSize(), spec.imageSize());
        if (!variations) {
            return sampler.sample(denoiser, ImageNoise.initial(seeds, shape.channels(), shape.height(), shape.width()),
                    labels, seeds);
        }
        return sdEdit.vary(denoiser, sources(batch, shape), recipe.strength(), labels, seeds);
    }

    private static INDArray sources(List<PlannedImage> batch, ImageShape shape) {
        for (PlannedImage image : batch) {
            LabeledImage source = image.source();
            if (source.pixels().length != shape.size()) {
                throw new IllegalArgumentException("image " + source.id() + " has " + source.pixels().length
                        + " values; the model makes images of shape " + shape);
            }
        }
        return Pixels.toBatch(shape, batch.size(), i -> batch.get(i).source().pixels());
    }
}
