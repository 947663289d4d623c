package io.sparkdiffusion.cluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the project's scripts from the repository root, output to a log file. */
final class Scripts {
    private Scripts() {
    }

    /** Starts a script; stdout and stderr go to {@code log}. */
    static Process start(Path repo, Path log, String script, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(repo.resolve(script).toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(repo.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // The Maven-jars path of submit.sh is the one under test, not a Spark distribution this machine may have.
        builder.environment().remove("SPARK_HOME");
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return builder.start();
    }

    /** Runs a script to its end (at most 10 minutes) and returns its exit code. */
    static int run(Path repo, Path log, String script, String... args) throws IOException, InterruptedException {
        Process process = start(repo, log, script, args);
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(script + " did not finish within 10 minutes; see " + log);
        }
        return process.exitValue();
    }
}
