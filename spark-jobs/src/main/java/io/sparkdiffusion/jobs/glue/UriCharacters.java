package io.sparkdiffusion.jobs.glue;

/** Characters that read the same inside a URI as outside it (RFC 3986's "unreserved" set). */
public final class UriCharacters {
    private UriCharacters() {
    }

    /** A letter, a digit, {@code -}, {@code .}, {@code _} or {@code ~} (ASCII only). */
    public static boolean isUnreserved(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
                || c == '~';
    }
}
