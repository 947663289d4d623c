package io.sparkdiffusion.jobs.glue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listed a folder at a time, a tree gives the files one binaryFile source over its root gives, status for status. */
class FolderwiseTreeListingTest {
    private static final String GLOB = "*.{png,jpg}";
    private static SparkSession spark;

    @TempDir
    java.nio.file.Path tmp;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("listing-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void listsWhatOneSourceOverTheRootLists() throws Exception {
        for (String file : List.of("bag/1.png", "bag/2.jpg", "bag/notes.txt", "bag/deeper/3.png", "bag/.hidden.png",
                "bag/_underscore.png", "coat/4.png", "coat/a b%20c.png", "coat/été.png", "empty-class/readme.txt",
                "top.png", "top.txt", ".top-hidden.png", "_top-underscore.png", ".hidden-dir/5.png",
                "_under-dir/6.png", "x=1/7.png", "copying.png._COPYING_")) {
            write(file);
        }
        Files.createDirectories(tmp.resolve("no-files/at-all"));
        Path root = new Path("file:" + tmp.toAbsolutePath());

        List<String> expected = described(new BinaryFileTree(spark, root, GLOB).listing());
        assertEquals(8, expected.size(), "the files Spark's source keeps: " + expected);
        List<List<Path>> sources = FolderwiseTreeListing.sources(fs(), root, 32);
        assertEquals(6, sources.size(), "5 top folders and the top-level files: " + sources);
        assertEquals(expected, described(FolderwiseTreeListing.list(spark, root, GLOB, 3)));
        assertEquals(expected, described(FolderwiseTreeListing.list(spark, root, GLOB, 1)), "one core: one source");
        spark.conf().set(FolderwiseTreeListing.THRESHOLD_KEY, "2");
        try {
            assertEquals(expected, described(FolderwiseTreeListing.list(spark, root, GLOB, 3)), "many top folders: one source");
        } finally {
            spark.conf().unset(FolderwiseTreeListing.THRESHOLD_KEY);
        }
    }

    @Test
    void namesThatSparkWouldExpandAsGlobsAreListedByOneSource() throws Exception {
        for (String file : List.of("c[1]/a.png", "c1/b.png", "other/c.png")) {
            write(file);
        }
        Path root = new Path("file:" + tmp.toAbsolutePath());
        List<String> expected = described(new BinaryFileTree(spark, root, GLOB).listing());
        assertEquals(3, expected.size(), expected.toString());
        assertEquals(List.of(List.of(root)), FolderwiseTreeListing.sources(fs(), root, 32));
        assertEquals(expected, described(FolderwiseTreeListing.list(spark, root, GLOB, 2)));

        Files.delete(tmp.resolve("c[1]/a.png"));
        Files.delete(tmp.resolve("c[1]"));
        write("top{1}.png");
        assertEquals(List.of(List.of(root)), FolderwiseTreeListing.sources(fs(), root, 32));
        assertEquals(described(new BinaryFileTree(spark, root, GLOB).listing()),
                described(FolderwiseTreeListing.list(spark, root, GLOB, 2)));
    }

    @Test
    void aPartsErrorComesOutAsItIs() {
        Exception checked = new java.util.concurrent.TimeoutException("as Spark's AnalysisException: checked");
        List<java.util.concurrent.Callable<java.util.Optional<List<FileStatus>>>> parts = List.of(
                () -> java.util.Optional.of(List.of()), () -> {
                    throw checked;
                });
        Exception thrown = assertThrows(Exception.class, () -> FolderwiseTreeListing.concurrently(parts, 2));
        assertSame(checked, thrown);
    }

    @Test
    void aSingleFileOrAFlatFolderIsListedAsItIs() throws Exception {
        write("only/1.png");
        write("only/2.png");
        Path folder = new Path("file:" + tmp.resolve("only").toAbsolutePath());
        Path file = new Path(folder, "1.png");
        assertEquals(described(new BinaryFileTree(spark, folder, GLOB).listing()),
                described(FolderwiseTreeListing.list(spark, folder, GLOB, 2)));
        assertEquals(List.of(file + " " + Files.size(tmp.resolve("only/1.png"))),
                described(FolderwiseTreeListing.list(spark, file, GLOB, 2)));
    }

    @Test
    void aStreamingSinksOutputIsReadAsSparkReadsIt() throws Exception {
        write("a/1.png");
        write("b/2.png");
        Files.createDirectories(tmp.resolve("b/_spark_metadata"));
        // A sink's log of no files: Spark reads no file of b when b is a source's root.
        Files.writeString(tmp.resolve("b/_spark_metadata/0"), "v1\n");
        Path root = new Path("file:" + tmp.toAbsolutePath());
        List<String> expected = described(new BinaryFileTree(spark, root, GLOB).listing());
        assertEquals(2, expected.size(), "inside the tree, b is a plain folder: " + expected);
        assertEquals(expected, described(FolderwiseTreeListing.list(spark, root, GLOB, 2)));
        Path b = new Path(root, "b");
        assertEquals(List.of(), described(new BinaryFileTree(spark, b, GLOB).listing()));
        assertEquals(List.of(), described(FolderwiseTreeListing.list(spark, b, GLOB, 2)));
    }

    @Test
    void aMissingRootIsAnError() {
        assertThrows(java.io.FileNotFoundException.class,
                () -> FolderwiseTreeListing.list(spark, new Path("file:" + tmp.resolve("nowhere")), GLOB, 2));
    }

    private static org.apache.hadoop.fs.FileSystem fs() throws Exception {
        return org.apache.hadoop.fs.FileSystem.get(java.net.URI.create("file:///"), spark.sparkContext().hadoopConfiguration());
    }

    private void write(String relative) throws Exception {
        java.nio.file.Path path = tmp.resolve(relative);
        Files.createDirectories(path.getParent());
        Files.write(path, new byte[relative.length() % 7 + 1]);
    }

    /** Path and length of each status, sorted (the order of a listing carries no meaning). */
    private static List<String> described(List<FileStatus> statuses) {
        assertTrue(statuses.stream().noneMatch(FileStatus::isDirectory));
        return statuses.stream().map(s -> s.getPath() + " " + s.getLen()).sorted().collect(Collectors.toList());
    }
}
