package io.sparkdiffusion.jobs.prepare;

import java.io.IOException;

/** A corpus file PrepareJob does not read (not a regular file, outside the input root, over the byte cap): a reject. */
final class RefusedFile extends IOException {
    RefusedFile(String reason) {
        super(reason);
    }
}
