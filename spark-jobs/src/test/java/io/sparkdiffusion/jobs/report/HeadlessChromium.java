package io.sparkdiffusion.jobs.report;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's {@code chromium} run headless on a local page: a screenshot of the window, the DOM after loading, and the
 * page's console messages (with {@code --enable-logging=stderr}, every console message, a Content-Security-Policy
 * violation included, is a {@code :CONSOLE} line on stderr, whatever its level).
 */
final class HeadlessChromium {
    private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome");
    private final String binary;
    private final Path work;

    private HeadlessChromium(String binary, Path work) {
        this.binary = binary;
        this.work = work;
    }

    /**
     * The browser on the PATH; the test is skipped where there is none, except in CI ({@code CI=true}), which installs
     * it (.ci/run) and must not pass by skipping.
     */
    static HeadlessChromium find(Path work) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : NAMES) {
                if (Files.isExecutable(Path.of(dir, name))) {
                    return new HeadlessChromium(Path.of(dir, name).toString(), work);
                }
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("no chromium on the PATH in CI: .ci/run installs it");
        }
        assumeTrue(false, "no chromium on the PATH (apt-get install -y chromium)");
        return null;
    }

    /** What loading a page gave. */
    record Load(byte[] screenshot, List<String> console) {
    }

    /** Loads the page in a window of the given size, screenshots it, and collects its console messages. */
    Load screenshot(Path page, int width, int height) throws IOException, InterruptedException {
        Path png = work.resolve("screenshot.png");
        Path stderr = work.resolve("chromium-stderr.txt");
        run(List.of("--enable-logging=stderr", "--v=0", "--window-size=" + width + "," + height,
                "--screenshot=" + png, page.toUri().toString()), null, stderr);
        assertTrue(Files.size(png) > 0, "chromium wrote no screenshot; stderr: " + Files.readString(stderr));
        String keep = System.getProperty("report.screenshot"); // -Dreport.screenshot=FILE keeps it to look at
        if (keep != null && !keep.isBlank()) {
            Files.copy(png, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        List<String> console = new ArrayList<>();
        for (String line : Files.readAllLines(stderr, StandardCharsets.UTF_8)) {
            if (line.contains(":CONSOLE")) {
                console.add(line);
            }
        }
        return new Load(Files.readAllBytes(png), console);
    }

    /** The page's DOM after it loaded, serialized. */
    String dom(Path page) throws IOException, InterruptedException {
        Path out = work.resolve("dom.html");
        run(List.of("--dump-dom", page.toUri().toString()), out, work.resolve("chromium-dom-stderr.txt"));
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    private void run(List<String> args, Path stdout, Path stderr) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary, "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--no-first-run", "--user-data-dir=" + work.resolve("profile")));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
        builder.redirectOutput(stdout == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(stdout.toFile()));
        Process process = builder.start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("chromium did not finish in 90 s: " + command);
        }
        assertEquals(0, process.exitValue(), "chromium's exit code; stderr: " + Files.readString(stderr));
    }
}
