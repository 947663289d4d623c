package io.sparkdiffusion.image;

/**
 * One corpus file after {@link ImagePreparer}: the uniform image and the hash of its decoded content, or the
 * reason it was rejected.
 *
 * @param image       the resized, cropped image; null when rejected
 * @param contentHash hex 128-bit hash of the decoded image (see {@link ImagePreparer}); null when rejected
 * @param reason      why the file cannot be used; null when kept
 */
public record PreparedImage(Uint8Image image, String contentHash, String reason) {

    public static PreparedImage kept(Uint8Image image, String contentHash) {
        return new PreparedImage(image, contentHash, null);
    }

    public static PreparedImage rejected(String reason) {
        return new PreparedImage(null, null, reason);
    }

    public boolean ok() {
        return reason == null;
    }
}
