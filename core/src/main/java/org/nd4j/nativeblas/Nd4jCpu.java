package org.nd4j.nativeblas;

/**
 * Compatibility bridge that lets DL4J 1.0.0-M2 find oneDNN.
 *
 * <p>DL4J M2's {@code BaseMKLDNNHelper.mklDnnEnabled()} looks up {@code org.nd4j.nativeblas.Nd4jCpu$Environment}
 * and calls {@code isUseMKLDNN()} by reflection, but ND4J M2 moved that class to
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment} and renamed the method
 * {@code isUseONEDNN()}. Without this bridge the check fails once and oneDNN stays off for good,
 * so every convolution runs on the slow built-in path. See NativeRuntime.
 *
 * <p>It lives in ND4J's package because DL4J looks it up by that name, and it is the only class of this project that
 * does. It can go once DL4J and ND4J agree on the class: after an upgrade of {@code dl4j.version}, delete this file
 * and check that the jobs' start line still says {@code oneDNN=true} ({@code NativeRuntime.describe()}).
 */
public final class Nd4jCpu {
    private Nd4jCpu() {
    }

    /** Forwards to the native environment of ND4J M2 under the names DL4J M2 expects. */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        public boolean isUseMKLDNN() {
            return org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().isUseONEDNN();
        }

        public void setUseMKLDNN(boolean use) {
            org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().setUseONEDNN(use);
        }
    }
}
