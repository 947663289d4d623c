package io.sparkdiffusion.image;

import java.io.Serializable;
import java.util.Locale;

/**
 * The opaque colour that transparent pixels are composited over when an image with alpha is prepared. Icons and
 * cut-outs look different on white and on black, and a corpus should be uniform, so this is a corpus setting.
 *
 * @param red   0..255
 * @param green 0..255
 * @param blue  0..255
 */
public record Background(int red, int green, int blue) implements Serializable {
    public static final Background WHITE = new Background(255, 255, 255);
    public static final Background BLACK = new Background(0, 0, 0);

    public Background {
        if ((red | green | blue) < 0 || red > 255 || green > 255 || blue > 255) {
            throw new IllegalArgumentException("background channels must be 0..255, got " + red + "," + green + "," + blue);
        }
    }

    /**
     * {@code white}, {@code black} or {@code #rrggbb} (hex, either case).
     *
     * @throws IllegalArgumentException for anything else
     */
    public static Background parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("white")) {
            return WHITE;
        }
        if (t.equals("black")) {
            return BLACK;
        }
        if (t.matches("#[0-9a-f]{6}")) {
            int rgb = Integer.parseInt(t.substring(1), 16);
            return new Background(rgb >> 16, (rgb >> 8) & 0xFF, rgb & 0xFF);
        }
        throw new IllegalArgumentException("expected white, black or #rrggbb, got '" + text + "'");
    }

    /** The value of channel c (0 red, 1 green, 2 blue). */
    public int channel(int c) {
        return c == 0 ? red : c == 1 ? green : blue;
    }

    /** Its BT.601 luma, rounded: the background of a grey image, so that grey and colour preparations agree. */
    public int grey() {
        return (299 * red + 587 * green + 114 * blue + 500) / 1000;
    }

    /** Value v with opacity a (both 0..255) over background value b, rounded. */
    static int over(int v, int a, int b) {
        return (v * a + b * (255 - a) + 127) / 255;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "#%02x%02x%02x", red, green, blue);
    }
}
