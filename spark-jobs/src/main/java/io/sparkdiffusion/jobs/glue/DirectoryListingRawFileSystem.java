package io.sparkdiffusion.jobs.glue;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Hadoop's raw local file system with a cheaper {@link #listStatus}: a directory is read with one
 * {@link DirectoryStream} and each entry's status with one {@code stat} ({@link Files#readAttributes}), where
 * Hadoop's own asks five times per entry (exists, length, isDirectory, lastModified, access time) and builds each
 * entry's path twice. A listing of 70,000 small images is Spark's serial work on the driver before anything is
 * decoded. An entry's path is built by appending its name to the directory's URI when the name needs no escaping,
 * where Hadoop parses and normalizes the path twice with a regular expression and two URI constructions. Everything
 * else is Hadoop's. Such a path also hands out its folder's path as its parent, one object for the whole folder.
 *
 * <p>The statuses carry what Hadoop's do (the same qualified path, length, directory flag, modification and access
 * times, replication 1, the local block size); owner, group and permission are read, as Hadoop's own are, only when
 * asked for. Entries that vanish between the listing and their {@code stat} are left out, as Hadoop does; a
 * symbolic link is described by its target (Hadoop's {@code java.io.File} calls follow links too) and a dangling one
 * left out.
 */
public class DirectoryListingRawFileSystem extends RawLocalFileSystem {
    @Override
    public FileStatus[] listStatus(Path f) throws IOException {
        File dir = pathToFile(f);
        List<FileStatus> statuses = new ArrayList<>();
        try (DirectoryStream<java.nio.file.Path> entries = Files.newDirectoryStream(dir.toPath())) {
            String dirUri = qualified(dir).toUri().toString();
            Path parent = null; // of every entry, as Hadoop computes it for one
            for (java.nio.file.Path entry : entries) {
                String name = entry.getFileName().toString();
                try {
                    BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class);
                    Path path;
                    if (isPlain(name) && !dirUri.endsWith("/")) {
                        URI uri = URI.create(dirUri + "/" + name);
                        parent = parent != null ? parent : new Path(uri).getParent();
                        path = new ListedPath(uri, parent);
                    } else {
                        path = qualified(new File(dir, name));
                    }
                    statuses.add(status(path, attributes));
                } catch (NoSuchFileException e) {
                    // gone (or a dangling link) since the directory was read: not listed, as Hadoop does
                }
            }
        } catch (NotDirectoryException e) {
            return super.listStatus(f); // a file: Hadoop's answer (its own status)
        } catch (NoSuchFileException e) {
            throw new FileNotFoundException("File " + f + " does not exist");
        }
        return statuses.toArray(new FileStatus[0]);
    }

    /** The path Hadoop's own status of {@code file} carries. */
    private Path qualified(File file) {
        return new Path(file.getPath()).makeQualified(getUri(), getWorkingDirectory());
    }

    /** True when {@code name} reads the same inside a URI (only unreserved characters) and is no dot segment. */
    static boolean isPlain(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!UriCharacters.isUnreserved(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private FileStatus status(Path path, BasicFileAttributes attributes) {
        return new LazyOwnerStatus(attributes.size(), attributes.isDirectory(), // a directory's size too, as Hadoop
                getDefaultBlockSize(path), attributes.lastModifiedTime().toMillis(),
                attributes.lastAccessTime().toMillis(), path, this);
    }

    /**
     * An entry's path that knows its parent: Spark groups a listing by folder ({@code getParent()} of every file),
     * and Hadoop builds each parent anew (a regular expression and two URIs): ~20 % of Spark's driver work on a
     * listing of 70,000 images. The parent is equal to Hadoop's; serialized, the path is a plain {@link Path}.
     */
    private static final class ListedPath extends Path {
        private static final long serialVersionUID = 1L;
        private final transient Path parent;

        ListedPath(URI uri, Path parent) {
            super(uri);
            this.parent = parent;
        }

        @Override
        public Path getParent() {
            return parent;
        }

        private Object writeReplace() {
            return new Path(toUri());
        }
    }

    /** A status whose owner, group and permission come from Hadoop's own status of the path when first asked for. */
    private static final class LazyOwnerStatus extends FileStatus {
        private final transient RawLocalFileSystem fs;
        private transient boolean ownerLoaded;

        LazyOwnerStatus(long length, boolean isDirectory, long blockSize, long modificationTime, long accessTime,
                        Path path, RawLocalFileSystem fs) {
            super(length, isDirectory, 1, blockSize, modificationTime, accessTime, null, null, null, path);
            this.fs = fs;
        }

        @Override
        public org.apache.hadoop.fs.permission.FsPermission getPermission() {
            loadOwner();
            return super.getPermission();
        }

        @Override
        public String getOwner() {
            loadOwner();
            return super.getOwner();
        }

        @Override
        public String getGroup() {
            loadOwner();
            return super.getGroup();
        }

        private synchronized void loadOwner() {
            if (ownerLoaded || fs == null) {
                return;
            }
            ownerLoaded = true;
            try {
                FileStatus hadoops = fs.getFileStatus(getPath());
                setPermission(hadoops.getPermission());
                setOwner(hadoops.getOwner());
                setGroup(hadoops.getGroup());
            } catch (IOException e) {
                // gone since listed: the defaults a status without owner information has
            }
        }
    }
}
