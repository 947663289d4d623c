package io.sparkdiffusion.jobs;

import io.sparkdiffusion.image.PngImages;
import io.sparkdiffusion.image.Uint8Image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A small prepared data set and a tiny model for the TrainJob tests. */
final class TrainJobFixtures {
    /** The tiny model of these tests as --set overrides. */
    static final List<String> TINY_MODEL = List.of("train.model.base-channels=8", "train.model.channel-multipliers=[1,2]",
            "train.model.groups=4", "train.model.time-embedding-dim=16", "train.schedule.timesteps=100");

    private TrainJobFixtures() {
    }

    /**
     * 48 grey 8x8 PNGs in two classes (bars at the bottom, a square top-left) under {@code tmp}, run through
     * PrepareJob with no validation split, on the active Spark session.
     */
    static Path preparedCorpus(Path tmp) throws Exception {
        return preparedCorpus(tmp, 0);
    }

    /** The same corpus, with this fraction of the images (by a hash of their ids) in the validation split. */
    static Path preparedCorpus(Path tmp, double validationFraction) throws Exception {
        Path corpus = tmp.resolve("corpus");
        SplittableRandom random = new SplittableRandom(5);
        for (String cls : List.of("bars", "squares")) {
            Path dir = Files.createDirectories(corpus.resolve(cls));
            for (int i = 0; i < 24; i++) {
                byte[] pixels = new byte[64];
                for (int p = 0; p < 64; p++) {
                    boolean on = cls.equals("bars") ? p / 8 >= 6 : (p % 8 < 4 && p / 8 < 4);
                    pixels[p] = (byte) ((on ? 200 : 20) + random.nextInt(40));
                }
                Files.write(dir.resolve(i + ".png"), PngImages.encode(new Uint8Image(1, 8, 8, pixels)));
            }
        }
        Path prepared = tmp.resolve("prepared");
        int code = PrepareJob.run("--set", "prepare.input=" + corpus, "--set", "prepare.output=" + prepared,
                "--set", "prepare.size=8", "--set", "prepare.channels=1",
                "--set", "prepare.validation-fraction=" + validationFraction);
        assertEquals(0, code, "PrepareJob on the fixture corpus");
        return prepared;
    }

    /** Runs TrainJob with the tiny model, batch 4, a fast warm-up, and the given extra settings. */
    static int train(Path prepared, Path runDir, String... sets) {
        List<String> all = new ArrayList<>(TINY_MODEL);
        all.addAll(List.of("train.data=" + prepared, "train.run-dir=" + runDir, "train.batch-size=4",
                "train.sample.count=4", "train.sample.steps=2", "train.warmup-steps=3", "train.learning-rate=3e-3"));
        all.addAll(List.of(sets));
        List<String> args = new ArrayList<>();
        for (String set : all) {
            args.add("--set");
            args.add(set);
        }
        return TrainJob.run(args.toArray(String[]::new));
    }

    /** The loss of a metrics.jsonl row. */
    static double loss(String jsonRow) {
        return number(jsonRow, "loss");
    }

    /** A number in a metrics.jsonl row (flat JSON). */
    static double number(String jsonRow, String key) {
        int at = jsonRow.indexOf("\"" + key + "\":") + key.length() + 3;
        int comma = jsonRow.indexOf(',', at);
        return Double.parseDouble(jsonRow.substring(at, comma < 0 ? jsonRow.indexOf('}', at) : comma));
    }
}
