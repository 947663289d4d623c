package io.sparkdiffusion.data;

import java.io.IOException;

/** An idx file whose content is wrong (bad magic number, impossible header, truncated data). */
public class IdxFormatException extends IOException {
    public IdxFormatException(String message) {
        super(message);
    }
}
