package io.sparkdiffusion.generate;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FolderNamesTest {

    @Test
    void namesCannotEscapeTheOutputDirectory() {
        assertEquals("x", FolderNames.sanitize("../x"));
        assertEquals("a_b", FolderNames.sanitize("a/b"));
        assertEquals("a_b", FolderNames.sanitize("a\\b"));
        assertEquals("etc_passwd", FolderNames.sanitize("/etc/passwd"));
        assertEquals("", FolderNames.sanitize(".."));
        assertEquals("", FolderNames.sanitize("."));
        assertEquals("hidden", FolderNames.sanitize(".hidden"));
        assertEquals("hidden", FolderNames.sanitize("_hidden"), "Spark and Hadoop listings skip names starting with _");
        assertEquals("T-shirt_top", FolderNames.sanitize("T-shirt/top"));
        assertEquals("a_b", FolderNames.sanitize("a\u0000b"));
        assertEquals("x", FolderNames.sanitize("x..."), "trailing dots (Windows drops them)");
    }

    @Test
    void unicodeLettersAreKeptInOneNormalForm() {
        assertEquals("Écharpe", FolderNames.sanitize("E\u0301charpe"), "NFD becomes NFC");
        assertEquals("Écharpe", FolderNames.sanitize("\u00c9charpe"));
        assertEquals("靴", FolderNames.sanitize("靴"));
        assertEquals("हिन्दी", FolderNames.sanitize("हिन्दी"), "combining marks stay with their letters");
        assertEquals("cat_dog", FolderNames.sanitize("cat\u2022dog"), "symbols are replaced");
        assertEquals("a_b", FolderNames.sanitize("a b"));
    }

    @Test
    void longNamesAreCutAtACharacterBoundary() {
        String cut = FolderNames.sanitize("鞋".repeat(100));
        assertTrue(cut.getBytes(StandardCharsets.UTF_8).length <= FolderNames.MAX_BYTES);
        assertEquals("鞋".repeat(40), cut);
    }

    @Test
    void collisionsAreResolvedDeterministicallyByLabel() {
        List<String> names = FolderNames.forClasses(List.of("a/b", "a_b", "../x", "x", "Cat", "cat", "..", "", "ok"));
        assertEquals(List.of("a_b-0", "a_b-1", "x-2", "x-3", "Cat-4", "cat-5", "class-6", "class-7", "ok"), names);
        Set<String> folded = new HashSet<>();
        for (String name : names) {
            assertTrue(folded.add(name.toLowerCase(Locale.ROOT)), "unique ignoring case: " + name);
            assertFalse(name.contains("/") || name.contains("\\") || name.startsWith("."), name);
        }
        assertEquals(names, FolderNames.forClasses(List.of("a/b", "a_b", "../x", "x", "Cat", "cat", "..", "", "ok")));
    }

    @Test
    void aSuffixedNameThatCollidesAgainGetsAnotherSuffix() {
        // "a-1" is taken by class 2, so class 1's "a" → "a-1" would collide: both get suffixed again
        List<String> names = FolderNames.forClasses(List.of("a", "a", "a-1"));
        assertEquals(3, new HashSet<>(names).size(), names.toString());
        assertEquals(List.of("a-0", "a-1-1", "a-1-2"), names);
    }
}
