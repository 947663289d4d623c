package io.sparkdiffusion.jobs.session;

import io.sparkdiffusion.config.InputError;

/**
 * Bad input found inside a Spark task (an image of the wrong shape, an undecodable file) reaches the driver
 * wrapped in a SparkException; this finds the InputError again so that the job exits 2 with its one line.
 */
public final class TaskErrors {

    private TaskErrors() {
    }

    /**
     * The InputError somewhere in {@code e}'s causes, or {@code e} itself. (Spark's Java API throws the checked
     * SparkException without declaring it, so callers catch Exception.)
     */
    public static Exception inputErrorOr(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InputError input) {
                return input;
            }
        }
        return e;
    }
}
