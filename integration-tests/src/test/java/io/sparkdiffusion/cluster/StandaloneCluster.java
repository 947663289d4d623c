package io.sparkdiffusion.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster (a master and workers, each its own JVM) started and stopped by the project's
 * scripts/cluster/start.sh and stop.sh, on free ports so that it does not meet other clusters on the machine.
 */
final class StandaloneCluster implements AutoCloseable {
    private static final String EXECUTOR_CLASS = "org.apache.spark.executor.CoarseGrainedExecutorBackend";

    private final Path repo;
    private final Path dir;
    private final int port;
    private final int webUiPort;

    private StandaloneCluster(Path repo, Path dir, int port, int webUiPort) {
        this.repo = repo;
        this.dir = dir;
        this.port = port;
        this.webUiPort = webUiPort;
    }

    /** Starts {@code workers} workers of one core and {@code memory} each; returns once all have registered. */
    static StandaloneCluster start(Path repo, Path dir, int workers, String memory) throws Exception {
        StandaloneCluster cluster = new StandaloneCluster(repo, dir, freePort(), freePort());
        int code = Scripts.run(repo, dir.resolveSibling(dir.getFileName() + "-start.log"), "scripts/cluster/start.sh",
                "--dir", dir.toString(), "--workers", String.valueOf(workers), "--cores", "1", "--memory", memory,
                "--port", String.valueOf(cluster.port), "--webui-port", String.valueOf(cluster.webUiPort));
        if (code != 0) {
            throw new IllegalStateException("scripts/cluster/start.sh exited with " + code + "; logs in " + dir);
        }
        return cluster;
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + port;
    }

    /** The daemons start.sh recorded: master and workers. */
    List<ProcessHandle> daemons() throws IOException {
        List<ProcessHandle> daemons = new ArrayList<>();
        try (Stream<Path> pidFiles = Files.list(dir.resolve("pids"))) {
            for (Path pidFile : pidFiles.sorted().toList()) {
                ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(daemons::add);
            }
        }
        return daemons;
    }

    /** The executor JVMs running now: the workers' child processes (not any other Spark on the machine). */
    List<ProcessHandle> executors() throws IOException {
        Set<Long> daemons = daemons().stream().map(ProcessHandle::pid).collect(Collectors.toSet());
        return ProcessHandle.allProcesses()
                .filter(p -> p.parent().map(parent -> daemons.contains(parent.pid())).orElse(false))
                .filter(p -> commandLine(p).contains(EXECUTOR_CLASS))
                .toList();
    }

    /** The full command line from /proc (ProcessHandle.Info leaves it out for some processes). */
    private static String commandLine(ProcessHandle process) {
        try {
            return Files.readString(Path.of("/proc", String.valueOf(process.pid()), "cmdline")).replace('\0', ' ');
        } catch (IOException e) {
            return ""; // exited meanwhile
        }
    }

    /** The daemons and their children, for a failure message. */
    String processTree() throws IOException {
        StringBuilder tree = new StringBuilder();
        for (ProcessHandle daemon : daemons()) {
            tree.append(daemon.pid()).append(' ').append(abbreviate(commandLine(daemon))).append('\n');
            daemon.children().forEach(child -> tree.append("  ").append(child.pid()).append(' ')
                    .append(abbreviate(commandLine(child))).append('\n'));
        }
        return tree.toString();
    }

    private static String abbreviate(String commandLine) {
        return commandLine.length() <= 160 ? commandLine : "..." + commandLine.substring(commandLine.length() - 160);
    }

    /** The master's JSON status (workers, active and completed applications). */
    JsonNode status() throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webUiPort + "/json/")).build(),
                HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(response.body());
    }

    /** Waits until the master runs no application (a killed driver's executors are gone, its cores free). */
    void awaitNoActiveApps(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (status().path("activeapps").size() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("applications still active after " + timeout + ": " + status());
            }
            Thread.sleep(500);
        }
    }

    @Override
    public void close() throws Exception {
        List<ProcessHandle> daemons = daemons();
        int code = Scripts.run(repo, dir.resolveSibling(dir.getFileName() + "-stop.log"), "scripts/cluster/stop.sh",
                "--dir", dir.toString());
        for (ProcessHandle daemon : daemons) {
            try {
                daemon.onExit().get(30, TimeUnit.SECONDS); // stop.sh saw it go; it may not be reaped yet
            } catch (TimeoutException e) {
                throw new IllegalStateException("scripts/cluster/stop.sh (exit " + code + ") left " + daemon.pid()
                        + " running");
            }
        }
        if (code != 0) {
            throw new IllegalStateException("scripts/cluster/stop.sh exited with " + code);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
