package io.sparkdiffusion.jobs.glue;

import io.sparkdiffusion.config.InputError;

/**
 * Bad input found inside a Spark task (an image of the wrong shape, an undecodable file) reaches the driver
 * wrapped in a SparkException; this finds the InputError again so that the job exits 2 with its one line.
 */
public final class TaskErrors {

    private TaskErrors() {
    }

    /** Rethrows the InputError somewhere in {@code e}'s causes, or {@code e} itself. */
    public static RuntimeException inputErrorOr(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InputError input) {
                return input;
            }
        }
        return e;
    }
}
