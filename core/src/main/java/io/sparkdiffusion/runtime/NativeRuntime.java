package io.sparkdiffusion.runtime;

import org.nd4j.linalg.factory.Nd4j;

/**
 * One place that prepares ND4J/DL4J before any network is built.
 *
 * <p>DL4J M2 keeps its oneDNN layer helpers off unless the system property below is {@code false}
 * (it defaults to {@code true}); together with the {@code org.nd4j.nativeblas.Nd4jCpu} bridge in this
 * module this turns oneDNN convolutions on. It is only switched on when the loaded native build has
 * oneDNN: with a plain build the helpers fall back to a path slower than DL4J's default.
 */
public final class NativeRuntime {
    static final String DISABLE_HELPERS_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";

    private static volatile boolean initialized;

    private NativeRuntime() {
    }

    /** Idempotent; call before building or loading a network. */
    public static synchronized void init() {
        if (initialized) {
            return;
        }
        Nd4j.getEnvironment(); // loads the native library
        if (System.getProperty(DISABLE_HELPERS_PROPERTY) == null && oneDnnAvailable()) {
            System.setProperty(DISABLE_HELPERS_PROPERTY, "false");
        }
        initialized = true;
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
                + " threads=" + Nd4j.getEnvironment().maxMasterThreads();
    }
}
