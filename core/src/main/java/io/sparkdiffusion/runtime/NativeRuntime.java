package io.sparkdiffusion.runtime;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * One place that prepares ND4J/DL4J before any network is built.
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

    private static volatile boolean initialized;

    private NativeRuntime() {
    }

    /** Idempotent; call before building or loading a network. */
    public static synchronized void init() {
        if (initialized) {
            return;
        }
        Nd4j.getEnvironment(); // loads the native library
        useConfiguredOmpThreads();
        if (System.getProperty(DISABLE_HELPERS_PROPERTY) == null && oneDnnAvailable()) {
            System.setProperty(DISABLE_HELPERS_PROPERTY, "false");
        }
        initialized = true;
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
        return "nd4j backend=" + Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend")
                + " oneDNN=" + oneDnnAvailable() + " layerHelpers=" + layerHelpersEnabled()
                + " threads=" + Nd4j.getEnvironment().maxMasterThreads() + " ompThreads=" + ompThreads();
    }
}
