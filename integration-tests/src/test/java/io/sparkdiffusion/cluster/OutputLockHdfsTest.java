package io.sparkdiffusion.cluster;

import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.lock.OutputLock;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * OutputLock on HDFS (an in-process MiniDFSCluster, as ClusterPipelineTest starts it): create-if-absent goes
 * through the NameNode, the heartbeat through setTimes. OutputLockTest in core checks the same on file://.
 */
class OutputLockHdfsTest {
    private static final Duration LONG = Duration.ofHours(1);

    @TempDir
    static java.nio.file.Path temp;
    private static MiniDFSCluster hdfs;
    private static FileSystem fs;

    @BeforeAll
    static void startHdfs() throws IOException {
        Configuration conf = new Configuration();
        hdfs = new MiniDFSCluster.Builder(conf, temp.resolve("hdfs").toFile()).numDataNodes(1).build();
        fs = FileSystem.get(URI.create("hdfs://127.0.0.1:" + hdfs.getNameNodePort()), conf);
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    private static Path output(String name) {
        return fs.makeQualified(new Path("/runs/" + name));
    }

    @Test
    void aSecondWriterIsRefusedNamingTheHolderUntilTheFirstReleasesOnHdfs() throws IOException {
        Path output = output("a");
        OutputLock first = OutputLock.acquire(fs, output, "sample.output", LONG, LONG);
        InputError refused = assertThrows(InputError.class,
                () -> OutputLock.acquire(fs, output, "sample.output", LONG, LONG));
        assertTrue(refused.getMessage().contains("pid " + ProcessHandle.current().pid() + "@"), refused.getMessage());
        assertTrue(refused.getMessage().contains("hdfs://"), refused.getMessage());
        first.close();
        assertFalse(fs.exists(first.file()));
        OutputLock.acquire(fs, output, "sample.output", LONG, LONG).close();
    }

    @Test
    void theHeartbeatKeepsALongRunningHolderFromGoingStaleOnHdfs() throws Exception {
        Path output = output("b");
        Duration staleAfter = Duration.ofMillis(1500);
        try (OutputLock holder = OutputLock.acquire(fs, output, "a", Duration.ofMillis(200), staleAfter)) {
            Thread.sleep(3 * staleAfter.toMillis());
            assertThrows(InputError.class, () -> OutputLock.acquire(fs, output, "b", LONG, staleAfter));
            assertTrue(fs.exists(holder.file()));
        }
    }

    @Test
    void aLockWhoseHeartbeatStoppedIsTakenOverAfterTheTimeoutOnHdfs() throws IOException {
        Path output = output("c");
        Path file = OutputLock.lockFile(output);
        try (OutputStream out = fs.create(file, false)) {
            out.write("pid 1@dead-host\n".getBytes(StandardCharsets.UTF_8));
        }
        fs.setTimes(file, System.currentTimeMillis() - Duration.ofMinutes(10).toMillis(), -1);
        assertThrows(InputError.class, () -> OutputLock.acquire(fs, output, "b", LONG, Duration.ofMinutes(20)));
        try (OutputLock taken = OutputLock.acquire(fs, output, "b", LONG, Duration.ofMinutes(5))) {
            assertTrue(fs.exists(taken.file()));
        }
        assertFalse(fs.exists(file));
    }
}
