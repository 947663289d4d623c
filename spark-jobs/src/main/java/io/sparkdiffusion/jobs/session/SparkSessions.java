package io.sparkdiffusion.jobs.session;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

import io.sparkdiffusion.config.ConfigError;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The SparkSession a job runs in. The master comes from spark-submit (the {@code spark.master} property it
 * sets) unless the job's {@code spark-master} key names one (scripts/run-local.sh sets {@code local[*]}). A
 * session that already exists (a test's, a notebook's) is used and left running; one made here is stopped
 * by {@link #close()}. Sessions made here run {@link NativeBuildPlugin} on every executor.
 */
public final class SparkSessions implements AutoCloseable {
    private static final String PLUGINS = "spark.plugins";

    private final SparkSession session;
    private final boolean owned;

    private SparkSessions(SparkSession session, boolean owned) {
        this.session = session;
        this.owned = owned;
    }

    public static SparkSessions open(String appName, Optional<String> master) {
        return open(appName, master, Map.of());
    }

    /**
     * As {@link #open(String, Optional)}, with {@code localDefaults} applied when the master is {@code local...}
     * and the key is not already set (a {@code -Dspark.key} or {@code --conf} wins): settings that suit a short
     * run in one JVM, never forced on a cluster.
     */
    public static SparkSessions open(String appName, Optional<String> master, Map<String, String> localDefaults) {
        scala.Option<SparkSession> existing = SparkSession.getDefaultSession();
        if (existing.isDefined() && !existing.get().sparkContext().isStopped()) {
            return new SparkSessions(existing.get(), false);
        }
        SparkConf conf = new SparkConf(); // reads the spark.* system properties spark-submit sets
        master.ifPresent(conf::setMaster);
        if (!conf.contains("spark.master")) {
            throw new ConfigError("no Spark master: run through spark-submit, or set " + appName
                    + ".spark-master (e.g. local[*])");
        }
        conf.setIfMissing("spark.app.name", appName);
        applyLocalDefaults(conf, localDefaults);
        conf.set(PLUGINS, withNativeBuildPlugin(conf.get(PLUGINS, "")));
        return new SparkSessions(SparkSession.builder().config(conf).getOrCreate(), true);
    }

    /** Sets each of {@code localDefaults} that {@code conf} lacks, when its master is a local one. */
    static void applyLocalDefaults(SparkConf conf, Map<String, String> localDefaults) {
        if (conf.get("spark.master", "").startsWith("local")) {
            localDefaults.forEach(conf::setIfMissing);
        }
    }

    /** The user's {@code spark.plugins} list with {@link NativeBuildPlugin} added (executors pick their ND4J build). */
    static String withNativeBuildPlugin(String plugins) {
        String plugin = NativeBuildPlugin.class.getName();
        if (Arrays.stream(plugins.split(",")).map(String::trim).anyMatch(plugin::equals)) {
            return plugins;
        }
        return plugins.isBlank() ? plugin : plugins + "," + plugin;
    }

    public SparkSession session() {
        return session;
    }

    @Override
    public void close() {
        if (owned) {
            session.stop();
        }
    }
}
