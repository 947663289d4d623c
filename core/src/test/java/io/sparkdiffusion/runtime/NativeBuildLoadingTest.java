package io.sparkdiffusion.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        // waits first, then reads: a hung child fails the test after 2 minutes (BoundedChildTest)
        BoundedChild.Result result = BoundedChild.run(builder, Duration.ofMinutes(2));
        String output = result.output();
        assertEquals(0, result.exitCode(), output);
        return output.lines().filter(l -> l.startsWith("nd4j backend=")).findFirst()
                .orElseThrow(() -> new AssertionError("no describe() line in: " + output)) + " ";
    }
}
