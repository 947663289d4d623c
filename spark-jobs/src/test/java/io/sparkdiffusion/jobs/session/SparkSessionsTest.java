package io.sparkdiffusion.jobs.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** A job's local defaults apply on local masters only, and never over a setting the user made. */
class SparkSessionsTest {
    private static final Map<String, String> NO_UI = Map.of("spark.ui.enabled", "false");

    @Test
    void localDefaultsFillGapsOnLocalMastersOnly() {
        SparkConf local = new SparkConf(false).setMaster("local[2]");
        SparkSessions.applyLocalDefaults(local, NO_UI);
        assertEquals("false", local.get("spark.ui.enabled"));

        SparkConf localCluster = new SparkConf(false).setMaster("local-cluster[2,1,1024]");
        SparkSessions.applyLocalDefaults(localCluster, NO_UI);
        assertEquals("false", localCluster.get("spark.ui.enabled"), "one machine too");

        SparkConf cluster = new SparkConf(false).setMaster("spark://127.0.0.1:7077");
        SparkSessions.applyLocalDefaults(cluster, NO_UI);
        assertFalse(cluster.contains("spark.ui.enabled"), "never forced on a cluster");

        SparkConf userSaid = new SparkConf(false).setMaster("local[2]").set("spark.ui.enabled", "true");
        SparkSessions.applyLocalDefaults(userSaid, NO_UI);
        assertEquals("true", userSaid.get("spark.ui.enabled"), "a -Dspark.* or --conf setting wins");
    }
}
