package io.sparkdiffusion.data;

import io.sparkdiffusion.config.InputError;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;

/** Loads a small corpus for the single-JVM trainer: an idx image file (+ labels) or a folder-per-class tree. */
public final class LocalDatasets {
    private LocalDatasets() {
    }

    /**
     * @param data   an idx image file (name contains "idx3") or a folder of class folders
     * @param labels the idx label file; empty to derive it from the image file's name
     */
    public static LabeledImages read(String data, String labels, Configuration conf) throws IOException {
        Path path = new Path(data);
        FileSystem fs = path.getFileSystem(conf);
        if (!fs.exists(path)) {
            throw new InputError("training data " + data + " does not exist");
        }
        if (fs.getFileStatus(path).isDirectory()) {
            return ImageFolderReader.read(data, conf);
        }
        String labelFile = labels.isBlank() ? data.replace("images-idx3", "labels-idx1") : labels;
        if (labelFile.equals(data)) {
            throw new InputError("cannot derive the labels file of " + data + "; set its path in 'labels'");
        }
        IdxImages images;
        int[] labelValues;
        try (InputStream in = fs.open(path)) {
            images = IdxReader.readImages(in);
        }
        try (InputStream in = fs.open(new Path(labelFile))) {
            labelValues = IdxReader.readLabels(in);
        } catch (java.io.FileNotFoundException e) {
            throw new InputError("labels file " + labelFile + " does not exist");
        }
        if (labelValues.length != images.count()) {
            throw new InputError(labelFile + " has " + labelValues.length + " labels for " + images.count() + " images");
        }
        return LabeledImages.fromIdx(images, labelValues, FashionMnist.classNamesFor(data, labelValues));
    }
}
