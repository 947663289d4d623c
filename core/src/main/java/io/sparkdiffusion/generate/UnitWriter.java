package io.sparkdiffusion.generate;

import io.sparkdiffusion.config.CommitProtocol;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Commits one unit's images to an {@link OutputLayout}: every file (each PNG, or the unit's shard, or both, as the
 * {@link OutputFormat} says) is written under {@code _tmp/} and renamed to its place, and only then is the unit's
 * marker written (the same way), so a marker means all of the unit's images are complete. A unit retried after a
 * crash (or run twice at once by a speculative task) rewrites the same bytes: its images depend only on the plan.
 */
public final class UnitWriter {
    private final OutputLayout layout;
    private final OutputFormat format;
    private final GeneratedImages records;
    private final Configuration conf;
    private final FileSystem fs;
    /** Folders this writer made or found: one mkdirs per folder, not per image. */
    private final Set<Path> folders = new HashSet<>();

    /** @param records what a shard records of each image */
    public UnitWriter(OutputLayout layout, OutputFormat format, GeneratedImages records, Configuration conf)
            throws IOException {
        this.layout = layout;
        this.format = format;
        this.records = records;
        this.conf = conf;
        this.fs = OutputLayout.writer(layout.root().getFileSystem(conf));
    }

    /**
     * @param unit   the unit number
     * @param images the unit's images
     * @param pngs   their PNG bytes, in the same order
     */
    public void commit(int unit, List<PlannedImage> images, List<byte[]> pngs) throws IOException {
        if (images.size() != pngs.size()) {
            throw new IllegalArgumentException(images.size() + " images but " + pngs.size() + " PNGs");
        }
        Path attempt = new Path(layout.path(OutputLayout.TMP), "unit-" + unit + "-" + UUID.randomUUID());
        if (format.writesPngs()) {
            for (int i = 0; i < images.size(); i++) {
                PlannedImage image = images.get(i);
                Path tmp = new Path(attempt, image.id() + ".png");
                CommitProtocol.write(fs, tmp, pngs.get(i));
                moveIntoPlace(tmp, layout.path(layout.relativeImagePath(image)));
            }
        }
        if (format.writesShards()) {
            Path tmp = new Path(attempt, "unit.parquet");
            ImageShards.write(conf, tmp, images.stream().map(records::of).toList(), pngs);
            moveIntoPlace(tmp, layout.unitShard(unit));
        }
        Path tmpMarker = new Path(attempt, OutputLayout.markerName(unit));
        CommitProtocol.write(fs, tmpMarker, (images.size() + " images\n").getBytes(StandardCharsets.UTF_8));
        moveIntoPlace(tmpMarker, layout.marker(unit));
        fs.delete(attempt, true);
    }

    /**
     * Renames, replacing an existing file. Where rename cannot replace (HDFS), a file already in place was put
     * there complete by an earlier attempt with the same bytes, and is kept.
     */
    private void moveIntoPlace(Path tmp, Path target) throws IOException {
        if (folders.add(target.getParent())) {
            fs.mkdirs(target.getParent());
        }
        if (fs.rename(tmp, target)) {
            return;
        }
        if (fs.exists(target)) {
            fs.delete(tmp, false);
            return;
        }
        throw new IOException("could not rename " + tmp + " to " + target);
    }
}
