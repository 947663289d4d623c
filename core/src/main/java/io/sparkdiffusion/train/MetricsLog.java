package io.sparkdiffusion.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkdiffusion.config.CommitProtocol;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.jsonl} of a run: one JSON object per logged step. Object stores (s3a://) cannot append, so
 * the whole file is replaced ({@link CommitProtocol#replaceFile}) on every flush; it stays small (one row per
 * log interval). On resume, rows after the checkpoint's step are dropped so the curve joins up.
 */
public final class MetricsLog {
    public static final String FILE = "metrics.jsonl";
    public static final String LOSS_CURVE = "loss.png";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileSystem fs;
    private final Path file;
    private final List<Map<String, Object>> rows = new ArrayList<>();

    private MetricsLog(FileSystem fs, Path file) {
        this.fs = fs;
        this.file = file;
    }

    /** Opens the run's log, keeping existing rows up to and including {@code keepUpToStep}. */
    public static MetricsLog open(FileSystem fs, Path runDir, long keepUpToStep) throws IOException {
        MetricsLog log = new MetricsLog(fs, new Path(runDir, FILE));
        if (fs.exists(log.file)) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(log.file), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (!line.isBlank()) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> row = JSON.readValue(line, LinkedHashMap.class);
                        if (((Number) row.getOrDefault("step", 0)).longValue() <= keepUpToStep) {
                            log.rows.add(row);
                        }
                    }
                }
            }
        }
        return log;
    }

    public void add(Map<String, Object> row) {
        rows.add(new LinkedHashMap<>(row));
    }

    public List<Map<String, Object>> rows() {
        return List.copyOf(rows);
    }

    /** Renders the logged loss as {@code loss.png} beside the log and returns its path. */
    public Path writeLossCurve(String title) throws IOException {
        Path png = new Path(file.getParent(), LOSS_CURVE);
        CommitProtocol.replaceFile(fs, png, LossCurve.png(rows, title));
        return png;
    }

    public void flush() throws IOException {
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        for (Map<String, Object> row : rows) {
            lines.write(JSON.writeValueAsBytes(row));
            lines.write('\n');
        }
        CommitProtocol.replaceFile(fs, file, lines.toByteArray());
    }
}
