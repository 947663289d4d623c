package io.sparkdiffusion.generate;

import io.sparkdiffusion.config.InputError;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerationOutputTest {
    @TempDir
    Path tmp;

    static Map<String, Object> plan(long count) {
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("count", count);
        plan.put("sampler", "ddim");
        plan.put("guidance", 1.0);
        return plan;
    }

    /** A unit writer of this format, recording the images as made by DDIM from a step-5 checkpoint. */
    static UnitWriter writer(OutputLayout layout, OutputFormat format) throws java.io.IOException {
        return new UnitWriter(layout, format, new GeneratedImages(layout, layout.folders(), new Recipe("ddim", 10, 0, 1,
                1, 8), "ema", "checkpoints/step-0000005", 5, false), new Configuration());
    }

    static List<byte[]> pngs(List<PlannedImage> images) {
        List<byte[]> out = new ArrayList<>();
        images.forEach(i -> out.add(i.id().getBytes()));
        return out;
    }

    static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** A new output for {@link #catsAndDogs} (3 cats and 2 dogs in units of 2), begun. */
    private static GenerationOutput begunCatsAndDogs(Path out) throws Exception {
        GenerationOutput output = GenerationOutput.open(out.toString(), List.of("cat", "dog"), new Configuration());
        assertEquals(GenerationOutput.State.NEW, output.begin(plan(5), false, "sample.output"));
        return output;
    }

    private final SamplePlan catsAndDogs = new SamplePlan(1, new long[] {3, 2}, true, 2);

    @Test
    void theUnitsShardSizesComeFromOneListingAndAMissingShardIsAnError() throws Exception {
        Path out = tmp.resolve("sharded");
        GenerationOutput output = begunCatsAndDogs(out);
        UnitWriter writer = writer(output.layout(), OutputFormat.PARQUET);
        for (int unit = 0; unit < 3; unit++) {
            writer.commit(unit, catsAndDogs.unit(unit), pngs(catsAndDogs.unit(unit)));
        }
        long[] sizes = output.unitShardSizes(3);
        for (int unit = 0; unit < 3; unit++) {
            assertEquals(Files.size(out.resolve("_units").resolve(String.format("unit-%07d.parquet", unit))),
                    sizes[unit], "unit " + unit);
        }
        assertFalse(Files.exists(out.resolve("images")), "no PNG files in the parquet format");
        Files.delete(out.resolve("_units/unit-0000001.parquet"));
        java.io.IOException missing = assertThrows(java.io.IOException.class, () -> output.unitShardSizes(3));
        assertTrue(missing.getMessage().contains("unit 1 has its marker but no shard"), missing.getMessage());
    }

    @Test
    void unitsAreCommittedWithTheirMarkerAndTheRunFinishesClean() throws Exception {
        Path out = tmp.resolve("out");
        GenerationOutput output = begunCatsAndDogs(out);
        UnitWriter writer = writer(output.layout(), OutputFormat.PNG_TREE);
        writer.commit(2, catsAndDogs.unit(2), pngs(catsAndDogs.unit(2)));
        writer.commit(0, catsAndDogs.unit(0), pngs(catsAndDogs.unit(0)));
        BitSet done = output.doneUnits();
        assertEquals("{0, 2}", done.toString());
        assertArrayEquals("00000000".getBytes(), Files.readAllBytes(out.resolve("images/cat/00000000.png")));
        assertTrue(Files.exists(out.resolve("images/dog/00000004.png")));
        assertEquals(3, output.countPngs());

        // a killed run: resumes with the same plan, refuses another
        assertEquals(GenerationOutput.State.RESUMING, GenerationOutput.open(out.toString(), List.of("cat", "dog"),
                new Configuration()).begin(plan(5), false, "sample.output"));
        InputError other = assertThrows(InputError.class, () -> GenerationOutput.open(out.toString(),
                List.of("cat", "dog"), new Configuration()).begin(plan(6), false, "sample.output"));
        assertTrue(other.getMessage().contains("differs in: count"), other.getMessage());
        assertTrue(other.getMessage().contains("sample.output"), other.getMessage());

        writer.commit(1, catsAndDogs.unit(1), pngs(catsAndDogs.unit(1)));
        Files.createDirectories(out.resolve("_tmp/unit-1-leftover"));
        Files.write(out.resolve("_tmp/unit-1-leftover/00000002.png"), new byte[] {1});
        output.finish();
        assertEquals(GenerationOutput.State.COMPLETE, output.begin(plan(5), false, "sample.output"));
        List<Path> left = files(out);
        assertEquals(List.of(out.resolve("_SUCCESS"), out.resolve("images/cat/00000000.png"),
                out.resolve("images/cat/00000001.png"), out.resolve("images/cat/00000002.png"),
                out.resolve("images/dog/00000003.png"), out.resolve("images/dog/00000004.png"),
                out.resolve("plan.json")), left, "no .crc, temporary file or marker left");
        assertEquals(GenerationOutput.State.NEW, output.begin(plan(6), true, "sample.output"), "overwrite starts over");
        assertFalse(Files.exists(out.resolve("images")));
    }

    @Test
    void overwriteKeepsTheOldOutputAsideUntilTheNewOneIsComplete() throws Exception {
        Path out = tmp.resolve("out");
        complete(out, plan(1));

        GenerationOutput replacing = GenerationOutput.open(out.toString(), List.of(), new Configuration());
        assertEquals(GenerationOutput.State.NEW, replacing.begin(plan(2), true, "sample.output"));
        assertFalse(Files.exists(out.resolve("images")), "the new output starts empty");
        assertEquals(1, asides().size(), "the old one is aside");
        SamplePlan samples = new SamplePlan(1, new long[] {2}, false, 2);
        writer(replacing.layout(), OutputFormat.PNG_TREE).commit(0, samples.unit(0), pngs(samples.unit(0)));
        replacing.finish();

        assertEquals(List.of(), asides(), "deleted once the new one has _SUCCESS");
        assertEquals(GenerationOutput.State.COMPLETE, GenerationOutput.open(out.toString(), List.of(),
                new Configuration()).begin(plan(2), false, "sample.output"));
        assertEquals(2, replacing.countPngs());
    }

    @Test
    void aReplacementThatNeverCompletedIsUndoneByTheNextRun() throws Exception {
        Path out = tmp.resolve("out");
        complete(out, plan(1));
        GenerationOutput failed = GenerationOutput.open(out.toString(), List.of(), new Configuration());
        assertEquals(GenerationOutput.State.NEW, failed.begin(plan(2), true, "sample.output"));
        SamplePlan samples = new SamplePlan(1, new long[] {2}, false, 1);
        writer(failed.layout(), OutputFormat.PNG_TREE).commit(0, samples.unit(0), pngs(samples.unit(0)));
        // killed here: half of the new output, no _SUCCESS

        GenerationOutput next = GenerationOutput.open(out.toString(), List.of(), new Configuration());
        assertEquals(GenerationOutput.State.COMPLETE, next.begin(plan(1), false, "sample.output"),
                "the old output is back, whole");
        assertArrayEquals("00000000".getBytes(), Files.readAllBytes(out.resolve("images/00000000.png")));
        assertEquals(1, next.countPngs());
        assertEquals(List.of(), asides());
    }

    /** A finished output of {@code plan} (its count of unlabeled images in one unit). */
    private static void complete(Path out, Map<String, Object> plan) throws Exception {
        GenerationOutput output = GenerationOutput.open(out.toString(), List.of(), new Configuration());
        assertEquals(GenerationOutput.State.NEW, output.begin(plan, false, "sample.output"));
        long count = (Long) plan.get("count");
        SamplePlan samples = new SamplePlan(1, new long[] {count}, false, (int) count);
        writer(output.layout(), OutputFormat.PNG_TREE).commit(0, samples.unit(0), pngs(samples.unit(0)));
        output.finish();
    }

    private List<String> asides() throws Exception {
        try (Stream<Path> all = Files.list(tmp)) {
            return all.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".out.old-")).toList();
        }
    }

    @Test
    void aRetriedUnitReplacesWhatAKilledAttemptLeft() throws Exception {
        Path out = tmp.resolve("retried");
        GenerationOutput output = GenerationOutput.open(out.toString(), List.of(), new Configuration());
        output.begin(plan(3), false, "sample.output");
        SamplePlan samples = new SamplePlan(1, new long[] {3}, false, 3);
        Files.createDirectories(out.resolve("images"));
        Files.write(out.resolve("images/00000001.png"), new byte[] {9, 9}); // renamed before the kill
        writer(output.layout(), OutputFormat.PNG_TREE).commit(0, samples.unit(0), pngs(samples.unit(0)));
        assertArrayEquals("00000001".getBytes(), Files.readAllBytes(out.resolve("images/00000001.png")));
        assertEquals(3, output.countPngs());
    }

    @Test
    void aRunKilledBeforeItsPlanWasInPlaceStartsAfresh() throws Exception {
        Path out = tmp.resolve("early-kill");
        Files.createDirectories(out.resolve("_units"));
        Files.createDirectories(out.resolve("_tmp"));
        Files.write(out.resolve("_tmp/plan.json-1234"), new byte[] {'{'});
        assertEquals(GenerationOutput.State.NEW, GenerationOutput.open(out.toString(), List.of(), new Configuration())
                .begin(plan(1), false, "sample.output"));
        assertTrue(Files.exists(out.resolve("plan.json")));
    }

    @Test
    void aForeignDirectoryIsRefused() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("foreign"));
        Files.write(out.resolve("notes.txt"), new byte[] {1});
        InputError e = assertThrows(InputError.class, () -> GenerationOutput.open(out.toString(), List.of(),
                new Configuration()).begin(plan(1), false, "augment.output"));
        assertTrue(e.getMessage().contains("augment.output"), e.getMessage());
        assertTrue(Files.exists(out.resolve("notes.txt")));
    }
}
