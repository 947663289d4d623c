package io.sparkdiffusion.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@link NativeRuntime#main} in a fresh JVM (JavaCPP picks the native build once per JVM) and checks which
 * build it loaded, from its {@code describe()} line.
 */
class NativeBuildLoadingTest {

    @Test
    void theForcedPortableBuildLoadsWithOneDnnAndTheConvHelperOn() throws Exception {
        String line = describeInChildJvm("-D" + NativeRuntime.EXTENSION_PROPERTY + "=-onednn-avx2");
        assertTrue(line.contains(" native=onednn-avx2 "), line);
        assertTrue(line.contains(" oneDNN=true "), line);
        assertTrue(line.contains(" layerHelpers=true "), line);
    }

    @Test
    void withoutThePropertyTheBuildMatchesThisCpusFlags() throws Exception {
        String expected = NativeRuntime.extensionFor(Files.readString(Path.of("/proc/cpuinfo"))).substring(1);
        String line = describeInChildJvm();
        assertTrue(line.contains(" native=" + expected + " "), "expected " + expected + ": " + line);
        assertTrue(line.contains(" oneDNN=true "), line);
    }

    private static String describeInChildJvm(String... jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), NativeRuntime.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        Process child = builder.start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(2, TimeUnit.MINUTES), "child JVM did not finish: " + output);
        assertEquals(0, child.exitValue(), output);
        return output.lines().filter(l -> l.startsWith("nd4j backend=")).findFirst()
                .orElseThrow(() -> new AssertionError("no describe() line in: " + output)) + " ";
    }
}
