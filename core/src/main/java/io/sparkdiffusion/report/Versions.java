package io.sparkdiffusion.report;

import org.apache.hadoop.util.VersionInfo;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** The versions a report names: this project's (from the build), Java's and Hadoop's. */
public final class Versions {
    private Versions() {
    }

    /** spark-diffusion's version as Maven built it, or "unknown" when run from unfiltered classes. */
    public static String project() {
        try (InputStream in = Versions.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "unknown");
            return version.startsWith("${") ? "unknown" : version;
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** spark-diffusion, Java and Hadoop, in that order (the jobs add Spark's). */
    public static Map<String, String> all() {
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("spark-diffusion", project());
        versions.put("Java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        versions.put("Hadoop", VersionInfo.getVersion());
        return versions;
    }
}
