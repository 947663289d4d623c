package io.sparkdiffusion.runtime;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The nd4j-native builds the jar carries (pom.xml: {@code nd4j.classifier} and {@code nd4j.fallback.classifier}),
 * fastest first, each with the CPU flags (as /proc/cpuinfo names them) it needs.
 *
 * <p>The AVX-512 set is what libnd4j's own check ({@code isMinimalRequirementsMet}) asks of its AVX-512 build,
 * compiled for {@code -march=skylake-avx512}: avx, avx2, avx512f, avx512cd, avx512bw, avx512dq, avx512vl (plus fma,
 * which every such CPU has). The AVX2 build is compiled with FMA as well as AVX2; libnd4j checks only avx and avx2,
 * which would let a CPU without FMA crash on an illegal instruction instead of failing with a clear line.
 */
public enum NativeBuild {
    ONEDNN_AVX512("-onednn-avx512", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"),
    ONEDNN_AVX2("-onednn-avx2", "avx", "avx2", "fma");

    /** The value of JavaCPP's {@code org.bytedeco.javacpp.platform.extension} that loads this build. */
    public final String extension;
    private final List<String> requiredFlags;

    NativeBuild(String extension, String... requiredFlags) {
        this.extension = extension;
        this.requiredFlags = List.of(requiredFlags);
    }

    /** The fastest build this CPU runs, or empty when it runs none of them. */
    public static Optional<NativeBuild> fastestFor(Set<String> cpuFlags) {
        return Arrays.stream(values()).filter(build -> build.missingFlags(cpuFlags).isEmpty()).findFirst();
    }

    /** The CPU flags this build needs. */
    public List<String> requiredFlags() {
        return requiredFlags;
    }

    /** The flags this build needs that the CPU lacks, in the order listed above. */
    public List<String> missingFlags(Set<String> cpuFlags) {
        return requiredFlags.stream().filter(flag -> !cpuFlags.contains(flag)).toList();
    }

    /** The flags of the first processor in the text of /proc/cpuinfo (x86: "flags : fpu vme ..."); empty if none. */
    public static Set<String> cpuFlags(String cpuinfo) {
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals("flags")) {
                return new LinkedHashSet<>(Arrays.asList(line.substring(colon + 1).trim().split("\\s+")));
            }
        }
        return Set.of();
    }
}
