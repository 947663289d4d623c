package io.sparkdiffusion.image;

import java.util.HexFormat;

/**
 * MurmurHash3, x64 128-bit variant with seed 0 (Austin Appleby's public-domain reference; the same values as
 * Guava's {@code Hashing.murmur3_128()}). A non-cryptographic hash: used where a 128-bit fingerprint only has to tell
 * contents apart by chance, not against an adversary. Plain long arithmetic, so it is fast also in the quick C1
 * compiler that a short PrepareJob runs with, where SHA-256 has no intrinsic and took as long as decoding a
 * 28×28 PNG (bench/README.md).
 */
public final class Murmur3 {
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private Murmur3() {
    }

    /** The 128-bit hash of {@code data} as {h1, h2} (Guava's bytes are h1 then h2, each little-endian). */
    public static long[] hash128(byte[] data) {
        long h1 = 0;
        long h2 = 0;
        int blocks = data.length / 16;
        for (int i = 0; i < blocks; i++) {
            long k1 = littleEndianLong(data, 16 * i);
            long k2 = littleEndianLong(data, 16 * i + 8);
            h1 ^= mixK1(k1);
            h1 = Long.rotateLeft(h1, 27) + h2;
            h1 = h1 * 5 + 0x52dce729;
            h2 ^= mixK2(k2);
            h2 = Long.rotateLeft(h2, 31) + h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        long k1 = 0;
        long k2 = 0;
        int tail = 16 * blocks;
        for (int i = data.length - 1; i >= tail + 8; i--) {
            k2 = k2 << 8 | data[i] & 0xFFL;
        }
        for (int i = Math.min(data.length, tail + 8) - 1; i >= tail; i--) {
            k1 = k1 << 8 | data[i] & 0xFFL;
        }
        h1 ^= mixK1(k1);
        h2 ^= mixK2(k2);
        h1 ^= data.length;
        h2 ^= data.length;
        h1 += h2;
        h2 += h1;
        h1 = fmix64(h1);
        h2 = fmix64(h2);
        h1 += h2;
        h2 += h1;
        return new long[] {h1, h2};
    }

    /** {@link #hash128} as 32 hex digits, in Guava's byte order. */
    public static String hex128(byte[] data) {
        long[] h = hash128(data);
        HexFormat hex = HexFormat.of(); // not String.format: that took longer than the hash
        return hex.toHexDigits(Long.reverseBytes(h[0])) + hex.toHexDigits(Long.reverseBytes(h[1]));
    }

    private static long mixK1(long k1) {
        return Long.rotateLeft(k1 * C1, 31) * C2;
    }

    private static long mixK2(long k2) {
        return Long.rotateLeft(k2 * C2, 33) * C1;
    }

    private static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    private static long littleEndianLong(byte[] b, int i) {
        return b[i] & 0xFFL | (b[i + 1] & 0xFFL) << 8 | (b[i + 2] & 0xFFL) << 16 | (b[i + 3] & 0xFFL) << 24
                | (b[i + 4] & 0xFFL) << 32 | (b[i + 5] & 0xFFL) << 40 | (b[i + 6] & 0xFFL) << 48 | (b[i + 7] & 0xFFL) << 56;
    }
}
