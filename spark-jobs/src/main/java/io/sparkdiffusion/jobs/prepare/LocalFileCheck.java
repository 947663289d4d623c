package io.sparkdiffusion.jobs.prepare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Which local files PrepareJob reads: regular files whose real path (all links followed) lies inside the real path of
 * the input root. Hadoop's local file system cannot tell: its statuses follow symbolic links and call a FIFO or a
 * device a file of length 0 (opening a FIFO then blocks for ever, and {@code /dev/zero} never ends). So each file is
 * looked at without following links ({@code lstat}) before it is opened; a link is followed only to a regular file
 * inside the root, and a folder's real path (a linked folder may lead out of the root) is resolved once per folder.
 */
final class LocalFileCheck {
    private final Path root;
    private Path realRoot;
    private Path folder;
    private Path realFolder;

    /** @param root the input root (a folder, or the one file of the corpus) */
    LocalFileCheck(Path root) {
        this.root = root;
    }

    /**
     * The real path to read {@code file} at, and its length.
     *
     * @throws RefusedFile when it is not a regular file, or its real path is outside the root
     */
    Checked check(Path file) throws IOException {
        BasicFileAttributes own = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (own.isRegularFile()) {
            Path real = realFolder(file.getParent()).resolve(file.getFileName());
            if (!real.startsWith(realRoot())) {
                throw new RefusedFile("outside the input root through a linked folder (" + real + "): not read");
            }
            return new Checked(real, own.size());
        }
        if (!own.isSymbolicLink()) {
            throw new RefusedFile("not a regular file (" + kind(own) + "): not read");
        }
        Path real = file.toRealPath();
        if (!real.startsWith(realRoot())) {
            throw new RefusedFile("a symbolic link leading outside the input root (" + real + "): not followed");
        }
        BasicFileAttributes target = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!target.isRegularFile()) {
            throw new RefusedFile("a symbolic link to something other than a regular file (" + kind(target) + "): not read");
        }
        return new Checked(real, target.size());
    }

    /** A file to read: its real path and length. */
    record Checked(Path real, long length) {
    }

    private Path realRoot() throws IOException {
        if (realRoot == null) {
            realRoot = root.toRealPath();
        }
        return realRoot;
    }

    /** The real path of a folder; the last one is kept, as a task reads its files folder by folder. */
    private Path realFolder(Path dir) throws IOException {
        if (!dir.equals(folder)) {
            realFolder = dir.toRealPath();
            folder = dir;
        }
        return realFolder;
    }

    private static String kind(BasicFileAttributes attributes) {
        return attributes.isDirectory() ? "a directory" : attributes.isSymbolicLink() ? "a symbolic link"
                : "a FIFO, device or socket";
    }
}
