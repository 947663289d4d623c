package io.sparkdiffusion.config;

/** Input a job cannot use (missing path, wrong image shape, incompatible checkpoint): exit code 2, one line. */
public class InputError extends RuntimeException {
    public InputError(String message) {
        super(message);
    }

    public InputError(String message, Throwable cause) {
        super(message, cause);
    }
}
