package io.sparkdiffusion.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/cluster/start.sh refuses a master or UI port that something already listens on, with one line and exit 2,
 * before it starts or prepares anything: Spark would move the master to the next port while the workers joined
 * whatever holds the taken one.
 */
class ClusterStartPortTest {
    private static final Path SCRIPT = Path.of("..", "scripts", "cluster", "start.sh").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void aTakenMasterPortIsRefusedBeforeAnyDaemonStarts() throws Exception {
        try (ServerSocket taken = listening(); ServerSocket free = listening()) {
            int freePort = free.getLocalPort();
            free.close();
            Result result = start(taken.getLocalPort(), freePort);
            assertRefused(result, taken.getLocalPort());
        }
    }

    @Test
    void aTakenUiPortIsRefusedBeforeAnyDaemonStarts() throws Exception {
        try (ServerSocket taken = listening(); ServerSocket free = listening()) {
            int freePort = free.getLocalPort();
            free.close();
            Result result = start(freePort, taken.getLocalPort());
            assertRefused(result, taken.getLocalPort());
        }
    }

    private void assertRefused(Result result, int port) throws IOException {
        assertEquals(2, result.exit(), result.stderr());
        List<String> lines = result.stderr().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), result.stderr());
        assertTrue(lines.get(0).contains("port " + port), lines.get(0));
        Path dir = tmp.resolve("cluster");
        assertFalse(Files.exists(dir.resolve("pids")), "no daemon was started");
        assertFalse(Files.exists(dir.resolve("spark-home")), "nothing was prepared");
    }

    private static ServerSocket listening() throws IOException {
        return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    private Result start(int port, int uiPort) throws Exception {
        Path err = tmp.resolve("stderr.txt");
        Process process = new ProcessBuilder(SCRIPT.toString(), "--port", String.valueOf(port), "--webui-port",
                String.valueOf(uiPort), "--dir", tmp.resolve("cluster").toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "start.sh did not return");
        return new Result(process.exitValue(), Files.readString(err, StandardCharsets.UTF_8));
    }

    private record Result(int exit, String stderr) {
    }
}
