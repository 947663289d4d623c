package io.sparkdiffusion.image;

import java.awt.image.BufferedImage;

/**
 * What {@link ImageDecoder} made of a file: a decoded image, or the reason it could not be used. Bad input
 * is data, not an exception, so that one broken file never stops a job over a million good ones.
 *
 * @param image  the decoded picture, null when rejected
 * @param format the reader's format name (e.g. "png", "JPEG"), null when rejected
 * @param reason why the file was rejected, null when decoded
 */
public record DecodeResult(BufferedImage image, String format, String reason) {

    public static DecodeResult decoded(BufferedImage image, String format) {
        return new DecodeResult(image, format, null);
    }

    public static DecodeResult rejected(String reason) {
        return new DecodeResult(null, null, reason);
    }

    public boolean ok() {
        return reason == null;
    }
}
