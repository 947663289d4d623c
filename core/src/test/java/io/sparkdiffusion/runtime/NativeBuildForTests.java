package io.sparkdiffusion.runtime;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Picks the native build for this CPU before any test runs, as the jobs do before they touch ND4J: many tests use
 * ND4J without going through {@link NativeRuntime#init()}, and would otherwise load JavaCPP's default (the AVX2
 * build) for the whole test JVM. Registered in META-INF/services; spark-jobs' tests get it through core's test-jar.
 */
public final class NativeBuildForTests implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        NativeRuntime.chooseNativeBuild();
    }
}
