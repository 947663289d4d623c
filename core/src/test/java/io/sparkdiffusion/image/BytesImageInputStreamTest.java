package io.sparkdiffusion.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import org.junit.jupiter.api.Test;

/** The in-memory stream answers every call the way the JDK's own (cached) stream does over the same bytes. */
class BytesImageInputStreamTest {

    @Test
    void behavesLikeTheJdkStream() throws IOException {
        byte[] data = {(byte) 0x89, 'P', 'N', 'G', 0, 0, 1, 2, (byte) 0xF0, 7};
        try (ImageInputStream ours = new BytesImageInputStream(data);
             ImageInputStream jdk = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            assertEquals(script(jdk), script(ours));
            assertEquals(10, ours.length());
        }
    }

    /** Reads, marks, seeks, bits and the end, recording every answer (and EOF errors) in order. */
    private static List<String> script(ImageInputStream in) throws IOException {
        List<String> log = new ArrayList<>();
        log.add("read " + in.read());
        in.mark();
        byte[] three = new byte[3];
        in.readFully(three);
        log.add("readFully " + Arrays.toString(three));
        log.add("readInt " + in.readInt());
        in.reset();
        log.add("after reset " + in.getStreamPosition());
        in.seek(8);
        log.add("bits " + in.readBits(4) + " at " + in.getStreamPosition() + "+" + in.getBitOffset());
        log.add("read " + in.read() + " read " + in.read() + " read " + in.read());
        log.add("read array at end " + in.read(new byte[4], 0, 4) + ", empty " + in.read(new byte[4], 0, 0));
        in.seek(6);
        byte[] big = new byte[8];
        log.add("short read " + in.read(big, 2, 6) + " " + Arrays.toString(big));
        in.seek(9);
        try {
            log.add("readInt " + in.readInt());
        } catch (java.io.EOFException e) {
            log.add("EOF at " + in.getStreamPosition());
        }
        return log;
    }
}
