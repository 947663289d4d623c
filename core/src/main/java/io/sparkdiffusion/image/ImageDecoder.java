package io.sparkdiffusion.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes the bytes of one image file (PNG, JPEG including CMYK/YCCK/progressive, BMP, GIF, anything else an
 * ImageIO plugin on the classpath reads) into a {@link BufferedImage}, or says why it cannot.
 *
 * <p>The format is recognized from the content, not the file name: a PNG named {@code x.jpg} is decoded.
 * The size is read from the header first, so a decompression bomb is rejected before its pixels are
 * allocated, as is an image whose decoding and conversion would take more memory than allowed ({@link DecodeMemory}:
 * the pixel count, bands and bit depth). A reader warning (e.g. "Premature end of JPEG file") rejects the file: the JPEG readers return
 * a half-grey picture for a truncated file instead of failing. Warnings about colour profiles (a CMYK JPEG
 * without an ICC profile, a broken profile replaced by sRGB) are not corruption and are ignored.
 */
public final class ImageDecoder {
    private static final AtomicBoolean PLUGINS_SCANNED = new AtomicBoolean();

    private final int minSize;
    private final long maxPixels;
    private final DecodeMemory memory;
    private final ImageReaderLookup readers;

    /**
     * @param minSize   reject images whose shorter side is below this (0 = no minimum)
     * @param maxPixels reject images with more pixels than this (read from the header, before decoding)
     */
    public ImageDecoder(int minSize, long maxPixels) {
        this(minSize, maxPixels, DecodeMemory.UNLIMITED);
    }

    /** @param memory reject images whose preparing would take more memory (estimated from the header) */
    ImageDecoder(int minSize, long maxPixels, DecodeMemory memory) {
        if (minSize < 0 || maxPixels < 1) {
            throw new IllegalArgumentException("need min size >= 0 and max pixels >= 1, got " + minSize + ", " + maxPixels);
        }
        this.minSize = minSize;
        this.maxPixels = maxPixels;
        this.memory = memory;
        scanPluginsOnce();
        this.readers = new ImageReaderLookup();
    }

    public DecodeResult decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return DecodeResult.rejected("empty file (0 bytes)");
        }
        try (ImageInputStream in = new BytesImageInputStream(bytes)) {
            Optional<ImageReader> found = readers.readerFor(in);
            if (found.isEmpty()) {
                return DecodeResult.rejected("not an image: no reader recognizes the content (" + bytes.length + " bytes)");
            }
            ImageReader reader = found.get();
            try {
                return read(reader, in);
            } finally {
                reader.dispose();
            }
        } catch (IIOException e) {
            return DecodeResult.rejected("corrupt or truncated: " + describe(e));
        } catch (IOException | RuntimeException e) {
            // Readers throw IndexOutOfBounds, IllegalArgument, NegativeArraySize ... on hostile input.
            return DecodeResult.rejected("corrupt or unsupported: " + describe(e));
        } catch (OutOfMemoryError e) {
            return DecodeResult.rejected("too large to decode in this executor's memory");
        }
    }

    private DecodeResult read(ImageReader reader, ImageInputStream in) throws IOException {
        reader.setInput(in, true, true);
        String format = reader.getFormatName();
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if (width < 1 || height < 1) {
            return DecodeResult.rejected("corrupt: impossible size " + width + "x" + height);
        }
        if ((long) width * height > maxPixels) {
            return DecodeResult.rejected("too large: " + width + "x" + height + " is over max-pixels " + maxPixels);
        }
        if (Math.min(width, height) < minSize) {
            return DecodeResult.rejected("too small: " + width + "x" + height + ", shorter side below min-size " + minSize);
        }
        if (!memory.fitsAnyType(width, height)) {
            long bytes = memory.estimate(width, height, reader.getImageTypes(0).next());
            if (bytes > memory.maxBytes()) {
                return DecodeResult.rejected("too large to decode: " + width + "x" + height + " of this type takes ~"
                        + bytes + " bytes, over max-decode-bytes " + memory.maxBytes());
            }
        }
        StringBuilder warnings = new StringBuilder();
        reader.addIIOReadWarningListener(warningCollector(warnings));
        BufferedImage image = reader.read(0);
        if (warnings.length() > 0) {
            return DecodeResult.rejected("corrupt or truncated: " + warnings);
        }
        return DecodeResult.decoded(image, format);
    }

    private static IIOReadWarningListener warningCollector(StringBuilder warnings) {
        return (source, warning) -> {
            if (warnings.length() == 0 && !isAboutColourProfile(warning)) {
                warnings.append(warning == null ? "reader warning" : oneLine(warning));
            }
        };
    }

    private static boolean isAboutColourProfile(String warning) {
        String w = warning == null ? "" : warning.toLowerCase(java.util.Locale.ROOT);
        return w.contains("icc") || w.contains("color profile") || w.contains("colour profile");
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && (message == null || !message.contains(cause.getMessage()))) {
            message = (message == null ? "" : message + ": ") + cause.getMessage();
        }
        return oneLine(message == null ? e.getClass().getSimpleName() : message);
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("\\s+", " ").trim();
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    /**
     * ImageIO finds plugins with the context class loader of the first thread that touches it; on a Spark
     * executor that may not be the loader holding the application jar (and its TwelveMonkeys plugins).
     */
    private static void scanPluginsOnce() {
        if (PLUGINS_SCANNED.compareAndSet(false, true)) {
            ImageIO.scanForPlugins();
        }
    }
}
