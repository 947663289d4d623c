package io.sparkdiffusion.config;

import java.util.List;
import java.util.Locale;

/** "did you mean ...?" for a misspelt key: the closest known path by edit distance, if close enough. */
final class KeySuggestions {

    private KeySuggestions() {
    }

    /** {@code unknown key 'train.epocs' (did you mean 'train.epochs'?) in my.conf: 3}. */
    static String unknownKeyMessage(String key, List<String> known, String origin) {
        StringBuilder message = new StringBuilder("unknown key '").append(key).append("'");
        String suggestion = closest(key, known);
        if (suggestion != null) {
            message.append(" (did you mean '").append(suggestion).append("'?)");
        }
        if (origin != null && !origin.isBlank()) {
            message.append(" in ").append(origin);
        }
        return message.toString();
    }

    /**
     * The known path nearest to {@code key}: one within 2 edits; else the same last segment in another section
     * (a key put in the wrong place); else the nearest within a third of the key's length. Null when nothing
     * is close.
     */
    static String closest(String key, List<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = distance(key.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        if (bestDistance <= 2) {
            return best;
        }
        String leaf = lastSegment(key);
        for (String candidate : known) {
            if (lastSegment(candidate).equalsIgnoreCase(leaf)) {
                return candidate;
            }
        }
        return bestDistance <= key.length() / 3 ? best : null;
    }

    /** Levenshtein distance (insert, delete, substitute; each costs 1). */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static String lastSegment(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }
}
