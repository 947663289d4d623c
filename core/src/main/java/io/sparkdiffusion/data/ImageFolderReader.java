package io.sparkdiffusion.data;

import io.sparkdiffusion.config.HadoopFiles;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.image.ImageShape;
import io.sparkdiffusion.image.PngImages;
import io.sparkdiffusion.image.Uint8Image;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Reads a small folder-per-class tree ({@code root/<class>/<image>.png}) of images that already have one
 * shape into memory, for the single-JVM trainer. Large corpora of any shape go through the Spark
 * PrepareJob instead.
 */
public final class ImageFolderReader {
    private ImageFolderReader() {
    }

    /**
     * The files under a folder, folder by folder: not {@code listFiles}, whose located statuses make the local file
     * system run {@code ls} once per file for its permissions.
     */
    private static void addFiles(FileSystem fs, Path folder, List<Path> files) throws IOException {
        for (FileStatus status : fs.listStatus(folder)) {
            if (status.isDirectory()) {
                addFiles(fs, status.getPath(), files);
            } else {
                files.add(status.getPath());
            }
        }
    }

    public static LabeledImages read(String root, Configuration conf) throws IOException {
        Path rootPath = new Path(root);
        FileSystem fs = rootPath.getFileSystem(conf);
        if (!fs.exists(rootPath)) {
            throw new InputError("image folder " + root + " does not exist");
        }
        TreeMap<String, List<Path>> byClass = new TreeMap<>();
        for (FileStatus classDir : fs.listStatus(rootPath)) {
            if (classDir.isDirectory()) {
                List<Path> files = new ArrayList<>();
                addFiles(fs, classDir.getPath(), files);
                files.sort(null);
                byClass.put(classDir.getPath().getName(), files);
            }
        }
        List<String> classNames = new ArrayList<>(byClass.keySet());
        int total = byClass.values().stream().mapToInt(List::size).sum();
        if (total == 0) {
            throw new InputError("image folder " + root + " has no images in class subfolders");
        }
        ImageShape shape = null;
        byte[] pixels = null;
        int[] labels = new int[total];
        int i = 0;
        for (int label = 0; label < classNames.size(); label++) {
            for (Path file : byClass.get(classNames.get(label))) {
                Uint8Image image = PngImages.decode(HadoopFiles.readAll(fs, file));
                if (shape == null) {
                    shape = image.shape();
                    pixels = new byte[total * shape.size()];
                } else if (!shape.equals(image.shape())) {
                    throw new InputError(file + " has shape " + image.shape() + " but earlier images have " + shape
                            + "; prepare mixed corpora with the PrepareJob");
                }
                System.arraycopy(image.pixels(), 0, pixels, i * shape.size(), shape.size());
                labels[i++] = label;
            }
        }
        return new LabeledImages(shape, pixels, labels, classNames);
    }
}
