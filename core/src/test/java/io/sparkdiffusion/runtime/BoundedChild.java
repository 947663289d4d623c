package io.sparkdiffusion.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs a child process for a test with a timeout that really bounds it: the output goes to a file, so the wait
 * comes first and a child that hangs (while holding its stdout open) is killed at the deadline instead of
 * blocking a read of its output forever.
 */
final class BoundedChild {

    record Result(int exitCode, String output) {
    }

    private BoundedChild() {
    }

    /** The child's exit code and output (stdout and stderr); AssertionError when it outlives the timeout. */
    static Result run(ProcessBuilder builder, Duration timeout) throws IOException, InterruptedException {
        Path output = Files.createTempFile("child-output", ".txt");
        try {
            Process child = builder.redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("child " + builder.command().get(0) + " did not finish within " + timeout
                        + "; its output: " + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Result(child.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
