package io.sparkdiffusion.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.bytedeco.javacpp.Loader;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * One place that prepares ND4J/DL4J before any network is built.
 *
 * <p>It first picks the native build (see {@link NativeBuild}): the jar carries the oneDNN AVX-512 build and the
 * portable oneDNN AVX2 one, and JavaCPP loads the one named by the system property
 * {@value #EXTENSION_PROPERTY}. Unless the user set it, {@link #chooseNativeBuild()} sets it from the CPU's flags,
 * before anything loads ND4J (JavaCPP reads it once, so it also goes into JavaCPP's cached properties). Code that
 * loads ND4J before this runs (DL4J's own Spark worker code, say) gets JavaCPP's default, the AVX2 build, which runs
 * on every CPU the jar supports, only slower on AVX-512 ones.
 *
 * <p>DL4J M2 keeps its oneDNN layer helpers off unless the system property below is {@code false}
 * (it defaults to {@code true}); together with the {@code org.nd4j.nativeblas.Nd4jCpu} bridge in this
 * module this turns oneDNN convolutions on. It is only switched on when the loaded native build has
 * oneDNN: with a plain build the helpers fall back to a path slower than DL4J's default.
 *
 * <p>It also undoes ND4J M2's thread count: {@code NativeOpsHolder} sets OpenMP's thread count of the thread that
 * loads ND4J to 4, after honouring {@code OMP_NUM_THREADS} (a constant in its code). On a 2-core machine that runs
 * every oneDNN convolution with 4 threads on 2 cores, and oneDNN's backward-weights kernels spin in barriers while
 * half of their threads wait to be scheduled (measured: 10-20 ms instead of ~0.5 ms for one 64x64x7x7 call).
 */
public final class NativeRuntime {
    static final String DISABLE_HELPERS_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";
    static final String OMP_THREADS_VARIABLE = "OMP_NUM_THREADS";
    /** JavaCPP's property naming the native build to load ({@code -onednn-avx2}, {@code -onednn-avx512}). */
    public static final String EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";
    private static final Path CPUINFO = Path.of("/proc/cpuinfo");

    private static volatile boolean initialized;
    private static boolean helpersEnabledByChoice;

    private NativeRuntime() {
    }

    /** Prints {@link #describe()}: which native build this node loads, and whether oneDNN is on. */
    public static void main(String[] args) {
        System.out.println(describe());
    }

    /** Idempotent; call before building or loading a network. */
    public static synchronized void init() {
        if (initialized) {
            return;
        }
        String chosen = chooseNativeBuild();
        Nd4j.getEnvironment(); // loads the native library
        String loaded = loadedExtension();
        if (!chosen.equals(loaded)) {
            System.err.println("warning: ND4J loaded its native build " + loaded + " before NativeRuntime chose "
                    + chosen + " (something used ND4J before NativeRuntime.init())");
        }
        useConfiguredOmpThreads();
        if (System.getProperty(DISABLE_HELPERS_PROPERTY) == null && oneDnnAvailable()) {
            System.setProperty(DISABLE_HELPERS_PROPERTY, "false");
        } else if (helpersEnabledByChoice && !oneDnnAvailable()) {
            System.clearProperty(DISABLE_HELPERS_PROPERTY); // the build loaded has no oneDNN after all
        }
        initialized = true;
    }

    /**
     * Picks the native build without loading it: the property {@value #EXTENSION_PROPERTY} when the user set it,
     * else the fastest build this CPU runs; with a oneDNN build it also enables DL4J's layer helpers. Cheap and
     * idempotent: Spark executors call it when they start.
     *
     * @return the extension JavaCPP will load
     * @throws UnsupportedOperationException naming the missing CPU flags when the CPU runs none of the builds
     */
    public static synchronized String chooseNativeBuild() {
        String extension = System.getProperty(EXTENSION_PROPERTY);
        if (extension == null) {
            extension = extensionFor(readCpuinfo());
            System.setProperty(EXTENSION_PROPERTY, extension);
        }
        // JavaCPP reads its properties once, on first use: if another library used it already, this still counts
        Loader.loadProperties().setProperty("platform.extension", extension);
        // DL4J reads this when it builds a layer, which on an executor can come before init(); init() checks it
        if (extension.contains("-onednn") && System.getProperty(DISABLE_HELPERS_PROPERTY) == null) {
            System.setProperty(DISABLE_HELPERS_PROPERTY, "false");
            helpersEnabledByChoice = true;
        }
        return extension;
    }

    /**
     * The extension of the fastest build for a CPU described by this /proc/cpuinfo text; the portable build when
     * the text names no flags (not x86 Linux: JavaCPP's default then applies anyway).
     */
    static String extensionFor(String cpuinfo) {
        Set<String> flags = NativeBuild.cpuFlags(cpuinfo);
        NativeBuild portable = NativeBuild.ONEDNN_AVX2;
        if (flags.isEmpty()) {
            return portable.extension;
        }
        return NativeBuild.fastestFor(flags).orElseThrow(() -> new UnsupportedOperationException(
                "this CPU lacks " + String.join(", ", portable.missingFlags(flags)) + ", which every ND4J build in "
                        + "this jar needs (the portable one, " + portable.extension.substring(1) + ", needs "
                        + String.join(", ", portable.requiredFlags()) + ")")).extension;
    }

    private static String readCpuinfo() {
        try {
            return Files.readString(CPUINFO);
        } catch (IOException | SecurityException notLinux) {
            return "";
        }
    }

    /** The extension of the native build JavaCPP loaded (from the library's resource folder), or "none". */
    public static String loadedExtension() {
        String library = Loader.getLoadedLibraries().get("jnind4jcpu");
        if (library == null) {
            return "none";
        }
        String folder = Path.of(library).getParent().getFileName().toString(); // e.g. linux-x86_64-onednn-avx2
        String platform = Loader.getPlatform();
        return folder.startsWith(platform) ? folder.substring(platform.length()) : library;
    }

    /**
     * Sets OpenMP's thread count of the calling thread (the count is per thread) to {@link #configuredOmpThreads()}.
     * {@link #init()} does it for the thread that loads ND4J, the only one ND4J changes.
     */
    public static void useConfiguredOmpThreads() {
        setOmpThreads(configuredOmpThreads());
    }

    /** Sets OpenMP's thread count of the calling thread only (threads that split work among themselves set their own). */
    public static void setOmpThreads(int threads) {
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
    }

    /** {@code OMP_NUM_THREADS} when it is a positive number, else the processors available to the JVM. */
    public static int configuredOmpThreads() {
        return ompThreadsFrom(System.getenv(OMP_THREADS_VARIABLE), Runtime.getRuntime().availableProcessors());
    }

    static int ompThreadsFrom(String variable, int processors) {
        if (variable != null) {
            try {
                int threads = Integer.parseInt(variable.trim());
                if (threads > 0) {
                    return threads;
                }
            } catch (NumberFormatException notANumber) {
                // OpenMP ignores it too and uses its default, one thread per processor
            }
        }
        return processors;
    }

    /** OpenMP's thread count of the calling thread, as native ops will use it. */
    public static int ompThreads() {
        return NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
    }

    /** True when the loaded libnd4j was built with oneDNN and has it switched on. */
    public static boolean oneDnnAvailable() {
        try {
            return org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().isUseONEDNN();
        } catch (Throwable notCpuBackend) {
            return false;
        }
    }

    /** Whether DL4J's layer helpers (oneDNN convolution, ...) are enabled in this JVM. */
    public static boolean layerHelpersEnabled() {
        return "false".equalsIgnoreCase(System.getProperty(DISABLE_HELPERS_PROPERTY, "true"));
    }

    /** One line for logs: which native build and whether oneDNN is in use. */
    public static String describe() {
        init();
        String loaded = loadedExtension();
        return "nd4j backend=" + Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend")
                + " native=" + (loaded.startsWith("-") ? loaded.substring(1) : loaded.isEmpty() ? "default" : loaded)
                + " oneDNN=" + oneDnnAvailable() + " layerHelpers=" + layerHelpersEnabled()
                + " threads=" + Nd4j.getEnvironment().maxMasterThreads() + " ompThreads=" + ompThreads();
    }
}
