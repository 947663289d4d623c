package io.sparkdiffusion.jobs.prepare;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.LocatedFileStatus;

/**
 * The files one decoding task reads: a contiguous run of Spark's listing, packed by bytes (each file also
 * counted for a fixed opening cost, so that many tiny files do not end up in one task) and capped in count,
 * with the hosts that hold most of their bytes (as Spark's own file scan prefers them).
 *
 * @param sources the files' paths as Spark's binaryFile source names them ({@code Path.toString()})
 * @param lengths the files' lengths from the listing; {@link #LINK} for a symbolic link a file system lists as such
 * @param hosts   up to 3 preferred hosts, empty when the file system reports none
 */
public record FileGroup(String[] sources, long[] lengths, String[] hosts) implements Serializable {
    /**
     * What opening a file costs, counted in bytes when packing files into groups (Spark's own
     * spark.sql.files.openCostInBytes, 4 MB, turns a tree of small images into thousands of tasks).
     */
    static final long OPEN_COST_BYTES = 8L << 10;
    private static final int MAX_HOSTS = 3;
    /** The length of a listed symbolic link (HDFS lists links as such; the local file system lists their targets). */
    static final long LINK = -1;

    public int size() {
        return sources.length;
    }

    /**
     * Packs a listing into at least {@code minGroups} groups of about {@code bytesPerGroup} (files counted with
     * their opening cost) and at most {@code maxFilesPerGroup} files each, in listing order.
     */
    public static List<FileGroup> pack(List<FileStatus> files, int minGroups, long bytesPerGroup, int maxFilesPerGroup) {
        long total = 0;
        for (FileStatus f : files) {
            total += f.getLen() + OPEN_COST_BYTES;
        }
        long groups = Math.max(minGroups, Math.max((total + bytesPerGroup - 1) / bytesPerGroup,
                ((long) files.size() + maxFilesPerGroup - 1) / maxFilesPerGroup));
        long target = Math.max(1, (total + groups - 1) / groups);
        List<FileGroup> packed = new ArrayList<>();
        int from = 0;
        long bytes = 0;
        for (int i = 0; i < files.size(); i++) {
            bytes += files.get(i).getLen() + OPEN_COST_BYTES;
            if (bytes >= target || i + 1 - from >= maxFilesPerGroup || i == files.size() - 1) {
                packed.add(of(files.subList(from, i + 1)));
                from = i + 1;
                bytes = 0;
            }
        }
        return packed;
    }

    static FileGroup of(List<FileStatus> files) {
        String[] sources = new String[files.size()];
        long[] lengths = new long[files.size()];
        Map<String, Long> bytesOnHost = new HashMap<>();
        for (int i = 0; i < sources.length; i++) {
            FileStatus f = files.get(i);
            sources[i] = f.getPath().toString();
            lengths[i] = f.isSymlink() ? LINK : f.getLen();
            if (f instanceof LocatedFileStatus located && located.getBlockLocations() != null) {
                for (BlockLocation block : located.getBlockLocations()) {
                    try {
                        for (String host : block.getHosts()) {
                            bytesOnHost.merge(host, block.getLength(), Long::sum);
                        }
                    } catch (java.io.IOException e) {
                        // no hosts for this block: no preference from it
                    }
                }
            }
        }
        String[] hosts = bytesOnHost.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .limit(MAX_HOSTS).map(Map.Entry::getKey).toArray(String[]::new);
        return new FileGroup(sources, lengths, hosts);
    }
}
