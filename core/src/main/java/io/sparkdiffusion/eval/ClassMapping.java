package io.sparkdiffusion.eval;

import java.util.List;

import io.sparkdiffusion.config.InputError;

/** Labels of one data set translated to the class indices of a classifier, by class name. */
public final class ClassMapping {

    private ClassMapping() {
    }

    /**
     * @param names      the data set's class names by label
     * @param classifier the classifier's class names by output index
     * @param what       names the data set in the message, e.g. "reference /data/test"
     * @return index = the data set's label, value = the classifier's class index
     * @throws InputError when the data set has a class the classifier does not know
     */
    public static int[] of(List<String> names, List<String> classifier, String what) {
        int[] map = new int[names.size()];
        for (int label = 0; label < names.size(); label++) {
            map[label] = classifier.indexOf(names.get(label));
            if (map[label] < 0) {
                throw new InputError(what + " has class '" + names.get(label) + "', which the classifier does not know"
                        + " (its classes: " + String.join(", ", classifier) + ")");
            }
        }
        return map;
    }
}
