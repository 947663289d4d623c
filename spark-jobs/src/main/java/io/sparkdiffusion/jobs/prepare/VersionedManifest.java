package io.sparkdiffusion.jobs.prepare;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.data.PreparedColumns;
import io.sparkdiffusion.image.PixelStatistics;

/**
 * The manifest of an incremental output's new version. Its counts and statistics are those of the current file
 * index (every file the output now holds, from whichever version), summed on the driver from what the index keeps per
 * file, so that no earlier shard is read again.
 */
final class VersionedManifest {
    private VersionedManifest() {
    }

    /**
     * @param previous   the output's manifest before this version; null for version 1
     * @param current    the file index after this version
     * @param classNames by label: the previous version's, then new class folders in sorted order
     * @param version    this version
     */
    static PreparedManifest of(PreparedManifest previous, PrepareSettings settings, String input,
                               List<String> classNames, List<String> skippedFolders, Collection<IndexedFile> current,
                               PreparedManifest.Version version) {
        int channels = settings.image().channels();
        long valuesPerChannel = (long) settings.image().size() * settings.image().size();
        PixelStatistics pixels = new PixelStatistics(channels);
        long[] perClass = new long[classNames.size()];
        long train = 0;
        long validation = 0;
        long rejected = 0;
        long duplicates = 0;
        for (IndexedFile f : current) {
            switch (f.status()) {
                case FileIndex.REJECTED -> rejected++;
                case FileIndex.DUPLICATE -> duplicates++;
                default -> {
                    pixels.addImage(f.sum(), f.sumOfSquares(), valuesPerChannel);
                    if (f.label() >= 0) {
                        perClass[f.label()]++;
                    }
                    if (PreparedColumns.VALIDATION.equals(f.split())) {
                        validation++;
                    } else {
                        train++;
                    }
                }
            }
        }
        Map<String, Long> imagesPerClass = new LinkedHashMap<>();
        for (int i = 0; i < classNames.size(); i++) {
            imagesPerClass.put(classNames.get(i), perClass[i]);
        }
        List<PreparedManifest.Version> versions = new ArrayList<>(previous == null ? List.of() : previous.versions());
        versions.add(version);
        PreparedManifest.Shards first = previous == null
                ? new PreparedManifest.Shards(PreparedManifest.SHARDS, version.shardFiles(), settings.rowsPerShard())
                : previous.shards();
        return new PreparedManifest(PreparedManifest.VERSIONED_FORMAT, Instant.now().toString(), input,
                settings.layout().configName(), settings.image().shape(), classNames, imagesPerClass, pixels.images(),
                current.size(), rejected, duplicates, skippedFolders,
                new PreparedManifest.Split(settings.validationFraction(), PreparedManifest.Split.METHOD, train, validation),
                new PreparedManifest.Statistics(PreparedManifest.Statistics.SCALE, pixels.mean(), pixels.std()),
                first, settings.parameters(), versions);
    }
}
