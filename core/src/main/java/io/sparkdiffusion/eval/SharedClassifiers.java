package io.sparkdiffusion.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Saved classifiers as executors use them: each is read from the file system once per JVM, and every task
 * thread gets its own copy of the network (DL4J networks are not safe to share between threads, and
 * synchronizing on one would run a JVM's tasks one at a time). A classifier rewritten in place (another
 * modification time or length of its model file) is read again.
 */
public final class SharedClassifiers {
    private static final Map<String, FeatureClassifier> LOADED = new ConcurrentHashMap<>();
    private static final ThreadLocal<Map<String, FeatureClassifier>> PER_THREAD = ThreadLocal.withInitial(HashMap::new);

    private SharedClassifiers() {
    }

    /** The classifier saved in {@code dir}, as an instance this thread may use. */
    public static FeatureClassifier forThisThread(String dir, Configuration conf) throws IOException {
        Path path = new Path(dir);
        FileSystem fs = path.getFileSystem(conf);
        Path qualified = fs.makeQualified(path);
        FileStatus model = fs.getFileStatus(new Path(qualified, FeatureClassifier.MODEL_FILE));
        String key = qualified + "@" + model.getModificationTime() + ":" + model.getLen();
        Map<String, FeatureClassifier> mine = PER_THREAD.get();
        FeatureClassifier classifier = mine.get(key);
        if (classifier == null) {
            if (!LOADED.containsKey(key)) { // drop an older version of it
                LOADED.keySet().removeIf(old -> old.startsWith(qualified + "@"));
            }
            FeatureClassifier shared = LOADED.computeIfAbsent(key, k -> {
                try {
                    return FeatureClassifier.load(qualified.toString(), conf);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            mine.keySet().removeIf(old -> old.startsWith(qualified + "@"));
            classifier = shared.copy();
            mine.put(key, classifier);
        }
        return classifier;
    }
}
