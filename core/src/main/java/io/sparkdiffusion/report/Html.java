package io.sparkdiffusion.report;

import java.util.Base64;

/** The little HTML a report needs: escaped text, and PNG bytes as a {@code data:} URI. */
public final class Html {
    private Html() {
    }

    /**
     * Text as it must appear in an element or a quoted attribute: {@code & < > " '} as entities, so a path or class
     * name such as {@code <script>} is shown, never parsed. Null is the empty string.
     */
    public static String escape(Object text) {
        if (text == null) {
            return "";
        }
        String s = text.toString();
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** A PNG inlined into the page, so the report is one file that needs nothing else. */
    public static String pngDataUri(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }
}
