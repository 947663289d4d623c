package io.sparkdiffusion.image;

import static io.sparkdiffusion.image.ImageFixtures.grey;
import static io.sparkdiffusion.image.ImageFixtures.rgb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;

import org.junit.jupiter.api.Test;

class ImageReaderLookupTest {

    @Test
    void picksTheReaderImageIoPicksAndLeavesTheStreamAtItsStart() throws IOException {
        ImageIO.scanForPlugins();
        ImageReaderLookup lookup = new ImageReaderLookup();
        List<byte[]> files = List.of(ImageFixtures.png(rgb(9, 7, 1)), ImageFixtures.png(grey(8, 8, 2)),
                ImageFixtures.palettePng(6, 5), ImageFixtures.grey16Png(4, 4, 1000), ImageFixtures.rgbaPng(5, 5, 0x336699, 128),
                ImageFixtures.jpeg(rgb(16, 16, 3), false), ImageFixtures.jpeg(rgb(16, 16, 3), true),
                ImageFixtures.cmykJpeg(8, 8, 10, 20, 30, 40), ImageFixtures.bmp(rgb(6, 5, 4)), ImageFixtures.gif(7, 7, 0xFF0000));
        for (byte[] file : files) {
            ImageReader expected = ImageIO.getImageReaders(new BytesImageInputStream(file)).next();
            try (ImageInputStream in = new BytesImageInputStream(file)) {
                Optional<ImageReader> found = lookup.readerFor(in);
                assertTrue(found.isPresent());
                assertEquals(expected.getOriginatingProvider().getClass(), found.get().getOriginatingProvider().getClass());
                assertEquals(0, in.getStreamPosition());
                // The reader it returns reads the image as ImageIO's does.
                found.get().setInput(in, true, true);
                assertEquals(ImageIO.read(new BytesImageInputStream(file)).getWidth(), found.get().getWidth(0));
            }
        }
    }

    @Test
    void findsNoReaderForTextOrNothing() throws IOException {
        ImageReaderLookup lookup = new ImageReaderLookup();
        assertFalse(lookup.readerFor(new BytesImageInputStream("not a picture".getBytes(StandardCharsets.UTF_8))).isPresent());
        assertFalse(lookup.readerFor(new BytesImageInputStream(new byte[0])).isPresent());
    }

    @Test
    void keepsTheRegistrysOrderAsItWasWhenMade() throws IOException {
        // A provider that claims every stream, registered (and ordered before the PNG reader) after one lookup was
        // made: that lookup does not see it, a lookup made afterwards asks it first.
        IIORegistry registry = IIORegistry.getDefaultInstance();
        ImageReaderSpi png = ImageIO.getImageReadersByFormatName("png").next().getOriginatingProvider();
        GreedySpi greedy = new GreedySpi(png);
        ImageReaderLookup before = new ImageReaderLookup(registry);
        registry.registerServiceProvider(greedy, ImageReaderSpi.class);
        try {
            registry.setOrdering(ImageReaderSpi.class, greedy, png);
            byte[] file = ImageFixtures.png(rgb(4, 4, 9));
            ImageReaderLookup after = new ImageReaderLookup(registry);
            before.readerFor(new BytesImageInputStream(file)).orElseThrow();
            assertEquals(0, greedy.readersMade);
            after.readerFor(new BytesImageInputStream(file)).orElseThrow();
            assertEquals(1, greedy.readersMade);
        } finally {
            registry.deregisterServiceProvider(greedy, ImageReaderSpi.class);
        }
    }

    /** Claims every stream and counts the readers it makes (the PNG reader's). */
    private static final class GreedySpi extends ImageReaderSpi {
        private final ImageReaderSpi delegate;
        private int readersMade;

        GreedySpi(ImageReaderSpi delegate) {
            super("test", "1", new String[] {"greedy"}, null, null, "greedy", new Class<?>[] {ImageInputStream.class},
                    null, false, null, null, null, null, false, null, null, null, null);
            this.delegate = delegate;
        }

        @Override
        public boolean canDecodeInput(Object source) {
            return true;
        }

        @Override
        public ImageReader createReaderInstance(Object extension) throws IOException {
            readersMade++;
            return delegate.createReaderInstance(extension);
        }

        @Override
        public String getDescription(java.util.Locale locale) {
            return "claims every stream (test)";
        }
    }
}
