package io.sparkdiffusion.config;

/**
 * A usage or configuration mistake, with a one-line message naming the key or argument. A job prints the
 * message on stderr and exits with status 2.
 */
public class ConfigError extends RuntimeException {

    public ConfigError(String message) {
        super(oneLine(message));
    }

    public ConfigError(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** Collapses line breaks: the contract is one line on stderr. */
    static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
