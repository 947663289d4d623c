package io.sparkdiffusion.jobs.session;

import java.util.Map;

import io.sparkdiffusion.runtime.NativeRuntime;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * Picks the ND4J native build for each executor's CPU, and enables DL4J's oneDNN layer helpers, when the executor
 * starts, before any task runs.
 *
 * <p>Why a plugin: on an executor DL4J's own worker code (parameter averaging, deserializing broadcast arrays) can
 * load ND4J and build the network before any of our code runs; JavaCPP then loads its default, the portable AVX2
 * build, and the network gets no oneDNN helpers (slower, still correct). The plugin only chooses
 * ({@link NativeRuntime#chooseNativeBuild()}), it does not load ND4J, so jobs that never use it pay nothing.
 * {@link SparkSessions} adds it to {@code spark.plugins}; without it executors still work, on the AVX2 build.
 */
public final class NativeBuildPlugin implements SparkPlugin {

    @Override
    public DriverPlugin driverPlugin() {
        return null;
    }

    @Override
    public ExecutorPlugin executorPlugin() {
        return new ExecutorPlugin() {
            @Override
            public void init(PluginContext context, Map<String, String> extraConf) {
                try {
                    NativeRuntime.chooseNativeBuild();
                } catch (UnsupportedOperationException unsupportedCpu) {
                    // the executor still runs tasks that need no ND4J (PrepareJob's); ND4J itself fails on this CPU
                    System.err.println("spark-diffusion: " + unsupportedCpu.getMessage());
                }
            }
        };
    }
}
