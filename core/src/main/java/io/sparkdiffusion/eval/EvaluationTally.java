package io.sparkdiffusion.eval;

import java.io.Serializable;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one partition of images contributes to an evaluation: feature statistics per named group of images
 * (e.g. all reference images, one half of them) and prediction counts per named classifier. Executors make one
 * per partition; the driver {@link #add adds} them up, so no image leaves its executor.
 */
public final class EvaluationTally implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<String, FeatureStatistics> statistics = new TreeMap<>();
    private final Map<String, ClassAgreement> agreements = new TreeMap<>();

    /** The statistics of a group, created empty on first use. */
    public FeatureStatistics statistics(String group, int dimension) {
        return statistics.computeIfAbsent(group, g -> new FeatureStatistics(dimension));
    }

    /** The counts of a classifier, created empty on first use. */
    public ClassAgreement agreement(String classifier, int numClasses) {
        return agreements.computeIfAbsent(classifier, c -> new ClassAgreement(numClasses));
    }

    public Optional<FeatureStatistics> statistics(String group) {
        return Optional.ofNullable(statistics.get(group));
    }

    public Optional<ClassAgreement> agreement(String classifier) {
        return Optional.ofNullable(agreements.get(classifier));
    }

    /** Adds another partition's tally to this one; returns this. */
    public EvaluationTally add(EvaluationTally other) {
        other.statistics.forEach((group, s) -> statistics(group, s.dimension()).add(s));
        other.agreements.forEach((name, a) -> agreement(name, a.numClasses()).add(a));
        return this;
    }
}
