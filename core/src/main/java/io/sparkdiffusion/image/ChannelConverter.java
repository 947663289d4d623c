package io.sparkdiffusion.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * A decoded {@link BufferedImage} of any kind (grey or colour, 1–16 bits, palette, alpha, CMYK already turned
 * into RGB by the reader) → an 8-bit CHW image with the wanted channel count, at full resolution.
 *
 * <ul>
 *   <li>Alpha is composited over a {@link Background} (white unless told otherwise): a transparent background
 *       becomes that colour, as a viewer shows it. Simply dropping alpha would expose whatever colour the encoder
 *       left under transparent pixels (often black, often garbage). A grey image with alpha over a coloured
 *       background becomes colour when 3 channels are wanted, and uses the background's luma for 1.</li>
 *   <li>RGB → grey uses the ITU-R BT.601 luma weights (0.299, 0.587, 0.114), as PIL's {@code convert("L")}.</li>
 *   <li>Grey → RGB repeats the grey value in all three channels.</li>
 *   <li>16-bit samples keep their high byte.</li>
 * </ul>
 * Grey images are read from the raster, not through {@code getRGB}, which would pass them through a
 * colour-space conversion and change their values.
 */
public final class ChannelConverter {

    private ChannelConverter() {
    }

    /** Alpha over white. */
    public static Uint8Image convert(BufferedImage image, int channels) {
        return convert(image, channels, Background.WHITE);
    }

    public static Uint8Image convert(BufferedImage image, int channels, Background background) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        boolean grey = image.getColorModel().getNumColorComponents() == 1
                && !(image.getColorModel() instanceof IndexColorModel);
        if (grey) {
            byte[] planes = greyPlanes(image, channels, background);
            return new Uint8Image(channels, image.getHeight(), image.getWidth(), planes);
        }
        byte[] rgb = rgbPlanes(image, background);
        return channels == 3 ? new Uint8Image(3, image.getHeight(), image.getWidth(), rgb)
                : new Uint8Image(1, image.getHeight(), image.getWidth(), luma(rgb));
    }

    /** The grey plane once (channels 1) or three times (channels 3), alpha composited per channel. */
    private static byte[] greyPlanes(BufferedImage image, int channels, Background background) {
        int w = image.getWidth();
        int h = image.getHeight();
        if (image.getType() == BufferedImage.TYPE_BYTE_GRAY
                && image.getRaster().getDataBuffer() instanceof DataBufferByte buffer
                && buffer.getNumBanks() == 1 && buffer.getData().length == w * h) {
            byte[] plane = buffer.getData(); // the common case, without a per-pixel call
            return channels == 1 ? plane.clone() : repeat(plane, 3);
        }
        Raster raster = image.getRaster();
        int greyBits = raster.getSampleModel().getSampleSize(0);
        int[] grey = raster.getSamples(0, 0, w, h, 0, new int[w * h]);
        boolean alpha = image.getColorModel().hasAlpha() && raster.getNumBands() > 1;
        int[] a = alpha ? raster.getSamples(0, 0, w, h, 1, new int[w * h]) : null;
        int alphaBits = alpha ? raster.getSampleModel().getSampleSize(1) : 8;
        int n = w * h;
        byte[] out = new byte[channels * n];
        for (int c = 0; c < channels; c++) {
            int b = channels == 1 ? background.grey() : background.channel(c);
            for (int i = 0; i < n; i++) {
                int v = to8Bits(grey[i], greyBits);
                out[c * n + i] = (byte) (alpha ? Background.over(v, to8Bits(a[i], alphaBits), b) : v);
            }
        }
        return out;
    }

    private static byte[] rgbPlanes(BufferedImage image, Background background) {
        int w = image.getWidth();
        int h = image.getHeight();
        int n = w * h;
        byte[] out = new byte[3 * n];
        if (image.getType() == BufferedImage.TYPE_3BYTE_BGR
                && image.getRaster().getDataBuffer() instanceof DataBufferByte buffer
                && buffer.getNumBanks() == 1 && buffer.getData().length == 3 * n) {
            byte[] bgr = buffer.getData(); // what the JPEG and most PNG decodes give: no per-pixel call
            for (int i = 0; i < n; i++) {
                out[i] = bgr[3 * i + 2];
                out[n + i] = bgr[3 * i + 1];
                out[2 * n + i] = bgr[3 * i];
            }
            return out;
        }
        boolean alpha = image.getColorModel().hasAlpha();
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w); // row by row: no int[] of the whole picture
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                int r = (argb >> 16) & 0xFF;
                int g = (argb >> 8) & 0xFF;
                int b = argb & 0xFF;
                if (alpha) {
                    int a = argb >>> 24;
                    r = Background.over(r, a, background.red());
                    g = Background.over(g, a, background.green());
                    b = Background.over(b, a, background.blue());
                }
                int i = y * w + x;
                out[i] = (byte) r;
                out[n + i] = (byte) g;
                out[2 * n + i] = (byte) b;
            }
        }
        return out;
    }

    /** BT.601 luma of CHW RGB planes, rounded. */
    static byte[] luma(byte[] rgb) {
        int n = rgb.length / 3;
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            int y = 299 * (rgb[i] & 0xFF) + 587 * (rgb[n + i] & 0xFF) + 114 * (rgb[2 * n + i] & 0xFF);
            out[i] = (byte) ((y + 500) / 1000);
        }
        return out;
    }

    private static byte[] repeat(byte[] plane, int times) {
        byte[] out = new byte[plane.length * times];
        for (int c = 0; c < times; c++) {
            System.arraycopy(plane, 0, out, c * plane.length, plane.length);
        }
        return out;
    }

    /** Value v with opacity a (both 0..255) over a white background, rounded. */
    static int overWhite(int v, int a) {
        return Background.over(v, a, 255);
    }

    private static int to8Bits(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        return bits > 8 ? sample >> (bits - 8) : sample * 255 / ((1 << bits) - 1);
    }
}
