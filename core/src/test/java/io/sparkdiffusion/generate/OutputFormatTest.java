package io.sparkdiffusion.generate;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutputFormatTest {
    @Test
    void autoWritesShardsAboveTenThousandImages() {
        assertEquals(OutputFormat.PNG_TREE, OutputFormat.resolve("auto", 10_000));
        assertEquals(OutputFormat.PARQUET, OutputFormat.resolve("auto", 10_001));
        assertEquals(OutputFormat.BOTH, OutputFormat.resolve("both", 5));
        assertEquals(OutputFormat.PNG_TREE, OutputFormat.resolve("png-tree", 1_000_000));
        assertEquals("png-tree", OutputFormat.PNG_TREE.configName());
        assertTrue(OutputFormat.BOTH.writesPngs() && OutputFormat.BOTH.writesShards());
        assertFalse(OutputFormat.PARQUET.writesPngs());
        assertFalse(OutputFormat.PNG_TREE.writesShards());
    }
}
