package io.sparkdiffusion.cli;

import io.sparkdiffusion.config.CommitProtocol;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.data.FashionMnist;
import io.sparkdiffusion.data.IdxImages;
import io.sparkdiffusion.data.IdxReader;
import io.sparkdiffusion.image.PngImages;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Exports an idx image set (MNIST, Fashion-MNIST) to a folder-per-class PNG tree,
 * {@code out/<class>/<index>.png}, the layout PrepareJob, PyTorch's ImageFolder and Keras read. The tree is
 * committed as a job output is ({@link CommitProtocol}): written under a hidden staging name, renamed into place,
 * {@code _SUCCESS} last (readers of image trees skip it); OUT_DIR must not exist.
 *
 * <pre>IdxToPngTree IMAGES.idx3[.gz] LABELS.idx1[.gz] OUT_DIR [PER_CLASS_LIMIT]</pre>
 * Class folder names: {@link FashionMnist#classNamesFor}.
 */
public final class IdxToPngTree {
    private IdxToPngTree() {
    }

    public static void main(String[] args) {
        if (args.length < 3 || args.length > 4) {
            System.err.println("usage: IdxToPngTree IMAGES LABELS OUT_DIR [PER_CLASS_LIMIT]");
            System.exit(JobRunner.BAD_INPUT);
        }
        try {
            int limit = args.length == 4 ? Integer.parseInt(args[3]) : Integer.MAX_VALUE;
            int written = export(args[0], args[1], args[2], limit, new Configuration());
            System.out.println("wrote " + written + " PNG images under " + args[2]);
        } catch (IOException | RuntimeException e) {
            System.err.println("IdxToPngTree: " + e.getMessage());
            System.exit(JobRunner.BAD_INPUT);
        }
    }

    public static int export(String images, String labels, String outDir, int perClassLimit, Configuration conf)
            throws IOException {
        IdxImages pixels;
        int[] labelValues;
        Path imagesPath = new Path(images);
        FileSystem in = imagesPath.getFileSystem(conf);
        try (InputStream stream = in.open(imagesPath)) {
            pixels = IdxReader.readImages(stream);
        }
        try (InputStream stream = new Path(labels).getFileSystem(conf).open(new Path(labels))) {
            labelValues = IdxReader.readLabels(stream);
        }
        if (labelValues.length != pixels.count()) {
            throw new IllegalArgumentException(labels + " has " + labelValues.length + " labels for "
                    + pixels.count() + " images");
        }
        List<String> names = FashionMnist.classNamesFor(images, labelValues);
        Path out = new Path(outDir);
        FileSystem fs = out.getFileSystem(conf);
        out = fs.makeQualified(out);
        refuseExisting(fs, out);
        fs.setWriteChecksum(false); // no .crc side files next to the PNGs on a local file system
        // The tree appears whole or not at all: a reader never finds a cut PNG or a part of the classes
        Path staged = CommitProtocol.staging(CommitProtocol.belowRoot(out));
        try {
            int written = writeTree(fs, staged, pixels, labelValues, names, perClassLimit);
            refuseExisting(fs, out); // appeared while we wrote: the commit would replace it
            CommitProtocol.commit(fs, staged, out);
            return written;
        } finally {
            fs.delete(staged, true); // gone after the commit; after a failure, no leftover
        }
    }

    private static void refuseExisting(FileSystem fs, Path out) throws IOException {
        if (fs.exists(out)) {
            throw new InputError(out + " already exists; remove it or choose another OUT_DIR");
        }
    }

    private static int writeTree(FileSystem fs, Path dir, IdxImages pixels, int[] labels, List<String> names,
                                 int perClassLimit) throws IOException {
        int[] perClass = new int[names.size()];
        int written = 0;
        for (int i = 0; i < pixels.count(); i++) {
            int label = labels[i];
            if (perClass[label] >= perClassLimit) {
                continue;
            }
            perClass[label]++;
            Path file = new Path(new Path(dir, names.get(label)), String.format("%05d.png", i));
            CommitProtocol.write(fs, file, PngImages.encode(pixels.image(i)));
            written++;
        }
        return written;
    }
}
