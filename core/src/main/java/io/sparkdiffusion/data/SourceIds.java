package io.sparkdiffusion.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Stable identities of prepared images and the train/validation split derived from them.
 *
 * <p>An image's id is the first 128 bits of SHA-256 of its source (the file's full URI, or
 * {@code <idx file URI>#<index>} for an idx record), as 32 lower-case hex digits: the same file gets the same
 * id in every run, on every machine. The split takes the id's first 32 bits as a fraction of 2³²: an image
 * goes to validation when that fraction is below the validation fraction, so an image keeps its split when
 * the corpus grows or the job reruns.
 */
public final class SourceIds {
    private SourceIds() {
    }

    public static String id(String source) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(source.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** {@link PreparedColumns#TRAIN} or {@link PreparedColumns#VALIDATION} for an id made by {@link #id}. */
    public static String split(String id, double validationFraction) {
        long bucket = Long.parseLong(id.substring(0, 8), 16); // 0 .. 2^32 - 1
        return bucket < validationFraction * 0x1p32 ? PreparedColumns.VALIDATION : PreparedColumns.TRAIN;
    }
}
