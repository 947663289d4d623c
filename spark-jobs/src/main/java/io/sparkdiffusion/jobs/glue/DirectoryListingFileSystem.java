package io.sparkdiffusion.jobs.glue;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.LocalFileSystem;

/**
 * Hadoop's checksummed local file system ({@code file://}) over {@link DirectoryListingRawFileSystem}: the same
 * behaviour (checksum side files written and hidden from listings) with a listing that costs one {@code stat} per
 * entry. {@link #useFor(Configuration)} registers it.
 */
public class DirectoryListingFileSystem extends LocalFileSystem {
    /** The Hadoop key that names the implementation of {@code file://}. */
    public static final String FILE_IMPL = "fs.file.impl";

    public DirectoryListingFileSystem() {
        super(new DirectoryListingRawFileSystem());
    }

    /**
     * Makes {@code conf} use this file system for {@code file://} unless it names another. Hadoop caches a file
     * system per scheme and user whatever the configuration, so this only takes effect where {@code file://} was not
     * yet opened in this JVM (a job sets it before its first file system call).
     */
    public static Configuration useFor(Configuration conf) {
        if (conf.get(FILE_IMPL) == null) {
            conf.set(FILE_IMPL, DirectoryListingFileSystem.class.getName());
        }
        return conf;
    }
}
