package io.sparkdiffusion.jobs.evaluate;

import java.io.IOException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

import io.sparkdiffusion.eval.ClassifierInfo;
import io.sparkdiffusion.eval.FeatureClassifier;
import io.sparkdiffusion.eval.ImageScorer;
import io.sparkdiffusion.eval.SharedClassifiers;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.broadcast.Broadcast;

/**
 * What an executor needs to score images: the feature classifier's directory (read once per executor JVM, a
 * copy per task thread) and the judge classifiers trained on the driver (broadcast as bytes).
 */
final class ScorerFactory implements Serializable {
    private final String classifierDir;
    private final ClassifierInfo info;
    private final Broadcast<Map<String, byte[]>> judges;
    private final int batchSize;

    /** @param judges name → ModelSerializer bytes of a classifier with the feature classifier's classes, or null */
    ScorerFactory(String classifierDir, ClassifierInfo info, Broadcast<Map<String, byte[]>> judges, int batchSize) {
        this.classifierDir = classifierDir;
        this.info = info;
        this.judges = judges;
        this.batchSize = batchSize;
    }

    ClassifierInfo info() {
        return info;
    }

    /** A scorer for one task. */
    ImageScorer open() throws IOException {
        FeatureClassifier classifier = SharedClassifiers.forThisThread(classifierDir, new Configuration());
        Map<String, FeatureClassifier> judgeModels = new LinkedHashMap<>();
        if (judges != null) {
            for (Map.Entry<String, byte[]> judge : judges.value().entrySet()) {
                judgeModels.put(judge.getKey(), FeatureClassifier.fromBytes(judge.getValue(), info));
            }
        }
        return new ImageScorer(classifier, judgeModels, batchSize);
    }
}
