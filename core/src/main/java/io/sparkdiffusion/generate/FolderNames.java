package io.sparkdiffusion.generate;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Class names as folder names that cannot leave the output directory and that every file system and reader
 * accepts: {@code images/<folder>/<id>.png}.
 *
 * <p>A name is NFC-normalized; letters and digits of any script (with their combining marks), {@code -},
 * {@code _} and {@code .} are kept, anything else ({@code /}, {@code \}, spaces, control characters, …)
 * becomes {@code _}; leading {@code .} and {@code _} are dropped (so no {@code ..}, and no hidden folder that
 * Hadoop and Spark listings would skip), as are trailing dots; the result is cut to at most
 * {@value #MAX_BYTES} UTF-8 bytes. A name left empty becomes {@code class-<label>}. Names that then collide,
 * ignoring case (macOS and Windows file systems do), all get {@code -<label>} appended, so the result
 * depends only on the list of names, never on an order of arrival.
 */
public final class FolderNames {
    /** Well below the 255-byte name limit of common file systems. */
    static final int MAX_BYTES = 120;

    private FolderNames() {
    }

    /** One safe, unique folder name per class, by label. */
    public static List<String> forClasses(List<String> classNames) {
        List<String> names = new ArrayList<>();
        for (int label = 0; label < classNames.size(); label++) {
            String safe = sanitize(classNames.get(label));
            names.add(safe.isEmpty() ? "class-" + label : safe);
        }
        // Suffix every member of a collision group; repeat in the (contrived) case a suffixed name collides again.
        while (true) {
            Map<String, Integer> seen = new HashMap<>();
            for (String name : names) {
                seen.merge(key(name), 1, Integer::sum);
            }
            if (seen.values().stream().allMatch(n -> n == 1)) {
                return List.copyOf(names);
            }
            Set<String> colliding = new HashSet<>();
            seen.forEach((k, n) -> {
                if (n > 1) {
                    colliding.add(k);
                }
            });
            for (int label = 0; label < names.size(); label++) {
                if (colliding.contains(key(names.get(label)))) {
                    names.set(label, names.get(label) + "-" + label);
                }
            }
        }
    }

    /** The safe form of one name (empty when nothing usable is left). */
    public static String sanitize(String name) {
        String text = Normalizer.normalize(name == null ? "" : name, Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(cp -> out.appendCodePoint(allowed(cp) ? cp : '_'));
        int start = 0;
        while (start < out.length() && (out.charAt(start) == '.' || out.charAt(start) == '_')) {
            start++;
        }
        int end = out.length();
        while (end > start && out.charAt(end - 1) == '.') {
            end--;
        }
        return truncate(out.substring(start, end));
    }

    private static boolean allowed(int cp) {
        if (cp == '-' || cp == '_' || cp == '.') {
            return true;
        }
        int type = Character.getType(cp);
        return Character.isLetterOrDigit(cp) || type == Character.NON_SPACING_MARK
                || type == Character.COMBINING_SPACING_MARK || type == Character.ENCLOSING_MARK;
    }

    /** Cuts to MAX_BYTES of UTF-8 at a code point boundary. */
    private static String truncate(String s) {
        if (s.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES) {
            return s;
        }
        StringBuilder out = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + len > MAX_BYTES) {
                break;
            }
            out.appendCodePoint(cp);
            bytes += len;
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
