package io.sparkdiffusion.jobs.report;

import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.report.ReportPage;
import io.sparkdiffusion.report.Versions;
import org.apache.spark.sql.SparkSession;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** What every job's report shows: which job ran when, with which versions, and (last) all of its settings. */
public final class ReportBasics {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private ReportBasics() {
    }

    /** A page titled with the job and what it made, its subtitle when it ran and for how long. */
    public static ReportPage page(String job, String what, Instant started) {
        Duration took = Duration.between(started, Instant.now());
        return new ReportPage(job + ": " + what, String.format(Locale.ROOT, "%s, finished %s after %s",
                job, WHEN.format(Instant.now()), human(took)));
    }

    /** The versions of this project, Java, Hadoop and the Spark the job ran on. */
    public static void versions(ReportPage page, SparkSession spark) {
        Map<String, String> versions = Versions.all();
        if (spark != null) {
            versions.put("Spark", spark.version() + " (master " + spark.sparkContext().master() + ")");
        }
        page.section("Versions").facts(versions);
    }

    /** Every key of the job's root with the value it ran with, defaults included, sorted by key. */
    public static void settings(ReportPage page, Settings all, String root) {
        Map<String, String> values = new TreeMap<>();
        for (Map.Entry<String, ConfigValue> entry : all.config().getConfig(root).entrySet()) {
            ConfigValue value = entry.getValue();
            values.put(root + "." + entry.getKey(), value.valueType() == ConfigValueType.STRING
                    ? String.valueOf(value.unwrapped()) : value.render(ConfigRenderOptions.concise()));
        }
        page.section("Settings").facts(values);
    }

    public static String when(String isoInstant) {
        try {
            return WHEN.format(Instant.parse(isoInstant));
        } catch (RuntimeException notAnInstant) {
            return String.valueOf(isoInstant);
        }
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        return s < 60 ? s + " s" : s < 3600 ? String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60)
                : String.format(Locale.ROOT, "%d h %02d min", s / 3600, s % 3600 / 60);
    }
}
