package io.sparkdiffusion.jobs.prepare;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkdiffusion.config.CommitProtocol;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.data.PreparedColumns;
import io.sparkdiffusion.data.PreparedManifest;
import io.sparkdiffusion.jobs.io.StagedOutput;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code prepare.mode = incremental}: version 1 is a full prepare of the tree that also writes the file index
 * ({@code files/}); every later version decodes only the files the index has not seen ({@link CorpusChanges}) and is
 * written beside the earlier ones, which it never changes:
 * <pre>
 * &lt;output&gt;/manifest.json                 the current version's manifest: every version, what it added and removed
 * &lt;output&gt;/shards/, files/, rejects/, duplicates/   version 1
 * &lt;output&gt;/versions/v0002/shards/, files/, removed/, rejects/, duplicates/, _SUCCESS
 * </pre>
 * A version is staged in a hidden sibling ({@link StagedOutput}), renamed to {@code versions/vNNNN} and becomes
 * current when {@code manifest.json} is replaced by the one that names it ({@link CommitProtocol#replaceFile}); readers
 * follow the manifest only, so a run killed at any point leaves the previous version as it was, and the next run
 * deletes what it left.
 */
public final class IncrementalPrepare {
    static final String VERSIONS = "versions";
    /** The settings that decide what a row holds: a version must prepare images as the earlier ones did. */
    private static final List<String> SAME_IN_EVERY_VERSION = List.of("layout", "glob", "size", "channels",
            "background", "min-size", "validation-fraction");
    private static final Logger LOG = LoggerFactory.getLogger(IncrementalPrepare.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SparkSession spark;
    private final PrepareSettings settings;
    private final Path input;
    private final StageClock clock;

    public IncrementalPrepare(SparkSession spark, PrepareSettings settings, Path input, StageClock clock) {
        this.spark = spark;
        this.settings = settings;
        this.input = input;
        this.clock = clock;
    }

    /**
     * The output's current manifest, after settling what an interrupted run left in it; empty when there is no
     * output yet. Refuses (exit 2) an output that is not incremental or was prepared with other settings.
     */
    public static Optional<PreparedManifest> current(Path output, PrepareSettings settings, Path input,
                                                             Configuration conf) throws IOException {
        FileSystem fs = output.getFileSystem(conf);
        CommitProtocol.recoverAside(fs, output);
        if (!fs.exists(output)) {
            return Optional.empty();
        }
        PreparedManifest manifest = PreparedManifest.readFrom(output.toString(), conf);
        if (!manifest.versioned()) {
            throw new InputError("output " + output + " was prepared in full mode (it has no file index): incremental"
                    + " mode continues only outputs it began; choose a new prepare.output");
        }
        List<String> differ = new ArrayList<>();
        for (String key : SAME_IN_EVERY_VERSION) {
            Object before = manifest.parameters() == null ? null : manifest.parameters().get(key);
            if (!Objects.equals(String.valueOf(before), String.valueOf(settings.parameters().get(key)))) {
                differ.add("prepare." + key + " (" + before + " -> " + settings.parameters().get(key) + ")");
            }
        }
        if (!input.toString().equals(manifest.input())) {
            differ.add("prepare.input (" + manifest.input() + " -> " + input + ")");
        }
        if (!differ.isEmpty()) {
            throw new InputError("output " + output + " was prepared with other settings: " + String.join(", ", differ)
                    + "; a new version must prepare images as the earlier ones (choose a new prepare.output)");
        }
        removeLeftovers(fs, output, manifest.version());
        return Optional.of(manifest);
    }

    /** Where version {@code number} lives, relative to the output ("" for version 1: the output itself). */
    public static String versionDir(int number) {
        return number == 1 ? "" : VERSIONS + "/" + String.format("v%04d", number);
    }

    /** The directory of version {@code number} of {@code output}. */
    public static Path versionPath(Path output, int number) {
        return number == 1 ? output : new Path(output, versionDir(number));
    }

    /**
     * Prepares version 1 into {@code out} (a new output), or the next version after {@code previous} into {@code out}
     * staged for {@code versions/vNNNN}, and commits it.
     */
    public Outcome run(PreparedManifest previous, Path output, StagedOutput out) throws IOException {
        TreeCorpus tree = new TreeCorpus(spark, input, settings);
        if (tree.files() == 0) {
            throw new InputError("no files matching prepare.glob " + settings.glob() + " under " + input);
        }
        LOG.info("listed {} files after {}", tree.files(), clock);
        int version = previous == null ? 1 : previous.version() + 1;
        Map<String, IndexedFile> index = previous == null ? Map.of()
                : FileIndex.read(out.fileSystem(), output, previous);
        LOG.info("read the file index ({} files) after {}", index.size(), clock);
        CorpusChanges changes = CorpusChanges.between(index, tree.listing());
        LOG.info("compared {} files with the index of {}: {} new, {} changed, {} deleted, after {}",
                tree.files(), index.size(), changes.newFiles(), changes.changed(), changes.deleted(), clock);
        if (previous != null && changes.none()) {
            out.abandon();
            LOG.info("nothing new: version {} stays current after {}", previous.version(), clock);
            return new Outcome(null, String.format("prepare: nothing new under %s since version %d of %s"
                    + " (%d files unchanged); nothing decoded, nothing written", input, previous.version(), output,
                    changes.unchanged()));
        }
        Map<String, IndexedFile> current = new HashMap<>(index);
        for (CorpusChanges.Removal r : changes.removed()) {
            current.remove(r.file().source());
        }
        reportDeleted(changes);
        List<String> classNames = classNames(previous, tree.classNames());
        String dir = versionDir(version);
        String prefix = dir.isEmpty() ? "" : dir + "/";

        List<IndexedFile> read = List.of();
        long imagesAdded = 0;
        int shardFiles = 0;
        if (!changes.added().isEmpty()) {
            TreeCorpus part = tree.only(changes.added());
            Map<String, String> earlier = new HashMap<>();
            for (IndexedFile f : current.values()) {
                if (f.kept()) {
                    earlier.put(f.contentHash(), f.source());
                }
            }
            EarlierContents earlierContents = earlier.isEmpty() ? EarlierContents.NONE : EarlierContents.of(spark, earlier);
            PrepareStages stages = new PrepareStages(spark, settings, input, out, clock);
            long rejectedBefore = current.values().stream().filter(f -> FileIndex.REJECTED.equals(f.status())).count();
            PrepareStages.Written written = stages.write(part.decode(classNames), part.files(), classNames,
                    earlierContents, true, current.size(), rejectedBefore);
            Map<String, FileStatus> listed = new HashMap<>();
            for (FileStatus status : part.listing()) {
                listed.put(status.getPath().toString(), status);
            }
            read = FileIndex.of(written.outcomes(), listed, version, settings.validationFraction());
            FileIndex.write(out.fileSystem(), read, out.path(PreparedManifest.FILES));
            imagesAdded = written.tally().kept().images();
            shardFiles = stages.shardFiles();
        }
        for (IndexedFile f : read) {
            current.put(f.source(), f);
        }
        long imagesRemoved = changes.removed().stream().filter(r -> r.file().kept()).count();
        if (!changes.removed().isEmpty()) {
            out.writeFile(PreparedManifest.REMOVED + "/part-00000.json", removedLines(changes.removed()));
        }
        PreparedManifest.Version added = new PreparedManifest.Version(version, Instant.now().toString(),
                prefix + PreparedManifest.SHARDS, shardFiles, prefix + PreparedManifest.FILES, read.size(),
                changes.removed().isEmpty() ? null : prefix + PreparedManifest.REMOVED, changes.newFiles(),
                changes.changed(),
                changes.deleted(), imagesAdded, imagesRemoved);
        List<String> skippedFolders = TreeCorpus.skippedFolders(
                input.getFileSystem(spark.sparkContext().hadoopConfiguration()), input);
        PreparedManifest manifest = VersionedManifest.of(previous, settings, input.toString(), classNames,
                skippedFolders, current.values(), added);
        commit(output, out, manifest, version);
        LOG.info("committed version {} of {} after {}", version, output, clock);
        return new Outcome(manifest, String.format("prepare: version %d of %s: %d new, %d changed, %d deleted files"
                        + " (%d decoded); +%d images, -%d; now %d images (%d rejected, %d duplicates) of shape %s",
                version, output, changes.newFiles(), changes.changed(), changes.deleted(), changes.added().size(),
                imagesAdded, imagesRemoved, manifest.images(), manifest.rejected(), manifest.duplicates(),
                manifest.shape()));
    }

    /**
     * What a run did: the manifest of the version it committed (null when nothing was new) and the line to print.
     */
    public record Outcome(PreparedManifest committed, String line) {
    }

    /**
     * Version 1 commits as a full output does (manifest inside, renamed into place, _SUCCESS last). A later version
     * is renamed to {@code versions/vNNNN} first and becomes current with the manifest that names it, written last.
     */
    private static void commit(Path output, StagedOutput out, PreparedManifest manifest, int version) throws IOException {
        if (version == 1) {
            out.writeFile(PreparedManifest.FILE_NAME, manifest.toJson());
            out.commit();
        } else {
            out.commit();
            CommitProtocol.replaceFile(out.fileSystem(), new Path(output, PreparedManifest.FILE_NAME), manifest.toJson());
        }
    }

    /** Classes keep their labels: folders seen first in a later version follow, in sorted order. */
    private static List<String> classNames(PreparedManifest previous, List<String> listed) {
        List<String> names = new ArrayList<>(previous == null ? List.of() : previous.classNames());
        TreeSet<String> added = new TreeSet<>(listed);
        added.removeAll(names);
        names.addAll(added);
        return names;
    }

    private static void reportDeleted(CorpusChanges changes) {
        List<String> gone = changes.removed().stream().filter(r -> r.reason().equals(CorpusChanges.DELETED))
                .map(r -> r.file().source()).sorted().toList();
        if (!gone.isEmpty()) {
            LOG.warn("{} source files are gone since the last version and leave the output (all in removed/): {}{}",
                    gone.size(), gone.subList(0, Math.min(10, gone.size())), gone.size() > 10 ? " ..." : "");
        }
    }

    /** JSON lines (id, version, source, reason), sorted by source: the rows a reader no longer reads. */
    private static byte[] removedLines(List<CorpusChanges.Removal> removed) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (CorpusChanges.Removal r : removed.stream()
                .sorted(Comparator.comparing(r -> r.file().source())).toList()) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put(PreparedColumns.ID, r.file().id());
            line.put(PreparedColumns.VERSION, r.file().version());
            line.put(PreparedColumns.SOURCE, r.file().source());
            line.put(PreparedColumns.REASON, r.reason());
            bytes.write(JSON.writeValueAsBytes(line));
            bytes.write('\n');
        }
        return bytes.toByteArray();
    }

    /**
     * Deletes what runs killed before their manifest was written left under {@code versions/}: hidden staging
     * directories and version directories after the current one (the caller holds the output's lock).
     */
    private static void removeLeftovers(FileSystem fs, Path output, int currentVersion) throws IOException {
        Path versions = new Path(output, VERSIONS);
        if (!fs.exists(versions)) {
            return;
        }
        for (FileStatus child : fs.listStatus(versions)) {
            String name = child.getPath().getName();
            boolean staged = name.startsWith(".");
            boolean uncommitted = name.matches("v\\d{4,}") && Integer.parseInt(name.substring(1)) > currentVersion;
            if (staged || uncommitted) {
                fs.delete(child.getPath(), true);
                LOG.info("deleted {}, left by a run that did not finish", child.getPath());
            }
        }
    }
}
