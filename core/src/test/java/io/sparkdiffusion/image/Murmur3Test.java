package io.sparkdiffusion.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.nd4j.shade.guava.hash.Hashing;

/** Our MurmurHash3 x64 128 gives Guava's values (ND4J ships Guava shaded), for every tail length. */
class Murmur3Test {
    @Test
    void matchesGuavaOnEveryTailLength() {
        SplittableRandom random = new SplittableRandom(7);
        for (int length = 0; length <= 100; length++) {
            for (int draw = 0; draw < 5; draw++) {
                byte[] data = new byte[length];
                random.nextBytes(data);
                assertEquals(Hashing.murmur3_128().hashBytes(data).toString(), Murmur3.hex128(data), "length " + length);
            }
        }
        byte[] image = new byte[12 + 3 * 500 * 375];
        random.nextBytes(image);
        assertEquals(Hashing.murmur3_128().hashBytes(image).toString(), Murmur3.hex128(image), "a photo's size");
    }

    @Test
    void knownValueOfTheReference() {
        // Guava's own tests expect this of "hello" (seed 0).
        assertEquals("029bbd41b3a7d8cb191dae486a901e5b", Murmur3.hex128("hello".getBytes(StandardCharsets.UTF_8)));
    }
}
