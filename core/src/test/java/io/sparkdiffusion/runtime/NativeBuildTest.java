package io.sparkdiffusion.runtime;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeBuildTest {
    private static final String AVX2_ONLY = "fpu vme sse sse2 ssse3 sse4_1 sse4_2 avx f16c fma bmi1 avx2 bmi2";
    private static final String SKYLAKE_SERVER = AVX2_ONLY + " avx512f avx512dq avx512cd avx512bw avx512vl";

    private static String cpuinfo(String flags) {
        return "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: " + flags + "\nbogomips\t: 4000.00\n\n"
                + "processor\t: 1\nflags\t\t: " + flags + "\n";
    }

    @Test
    void readsTheFlagsLineOfCpuinfo() {
        Set<String> flags = NativeBuild.cpuFlags(cpuinfo(AVX2_ONLY));
        assertTrue(flags.containsAll(List.of("fpu", "avx2", "fma", "bmi2")));
        assertEquals(13, flags.size());
        assertEquals(Set.of(), NativeBuild.cpuFlags("processor\t: 0\nFeatures\t: fp asimd evtstrm\n")); // aarch64
    }

    @Test
    void anAvx512CpuGetsTheAvx512Build() {
        assertEquals("-onednn-avx512", NativeRuntime.extensionFor(cpuinfo(SKYLAKE_SERVER)));
        assertEquals(Optional.of(NativeBuild.ONEDNN_AVX512), NativeBuild.fastestFor(Set.of(SKYLAKE_SERVER.split(" "))));
    }

    @Test
    void everyAvx512FlagOfTheBuildIsNeeded() {
        for (String flag : List.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl")) {
            String without = (" " + SKYLAKE_SERVER + " ").replace(" " + flag + " ", " ").trim();
            assertEquals("-onednn-avx2", NativeRuntime.extensionFor(cpuinfo(without)), flag);
            assertEquals(List.of(flag), NativeBuild.ONEDNN_AVX512.missingFlags(NativeBuild.cpuFlags(cpuinfo(without))));
        }
        // e.g. Xeon Phi (Knights Landing): avx512f and avx512cd but not bw, dq, vl
        assertEquals("-onednn-avx2", NativeRuntime.extensionFor(cpuinfo(AVX2_ONLY + " avx512f avx512cd avx512er")));
    }

    @Test
    void anAvx2CpuGetsThePortableBuild() {
        assertEquals("-onednn-avx2", NativeRuntime.extensionFor(cpuinfo(AVX2_ONLY)));
    }

    @Test
    void aCpuWithoutAvx2OrFmaIsRefusedNamingWhatIsMissing() {
        UnsupportedOperationException noAvx2 = assertThrows(UnsupportedOperationException.class,
                () -> NativeRuntime.extensionFor(cpuinfo("fpu sse sse2 ssse3 sse4_1 sse4_2 avx")));
        assertTrue(noAvx2.getMessage().startsWith("this CPU lacks avx2, fma, which"), noAvx2.getMessage());
        UnsupportedOperationException noFma = assertThrows(UnsupportedOperationException.class,
                () -> NativeRuntime.extensionFor(cpuinfo("fpu sse sse2 avx avx2")));
        assertTrue(noFma.getMessage().startsWith("this CPU lacks fma, which"), noFma.getMessage());
        assertTrue(noFma.getMessage().contains("onednn-avx2, needs avx, avx2, fma"), noFma.getMessage());
    }

    @Test
    void withoutFlagsToGoByThePortableBuildIsTried() {
        assertEquals("-onednn-avx2", NativeRuntime.extensionFor(""));
    }
}
