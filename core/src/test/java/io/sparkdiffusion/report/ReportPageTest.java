package io.sparkdiffusion.report;

import io.sparkdiffusion.image.PngImages;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportPageTest {
    @Test
    void escapesEveryCharacterThatHtmlWouldParse() {
        assertEquals("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;",
                Html.escape("<script>alert(\"x\")</script> & 'y'"));
        assertEquals("", Html.escape(null));
        assertEquals("hdfs://nn/data/é", Html.escape("hdfs://nn/data/é"));
    }

    @Test
    void userStringsAreShownAsTextEverywhere() {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("input <b>", "/data/<img src=x onerror=alert(1)>");
        String html = new ReportPage("<script>alert(1)</script>", "sub </p><script>")
                .section("<h1>")
                .facts(facts)
                .table(List.of("class"), List.of(List.of("<script>")))
                .text("</p><script>alert(2)</script>")
                .image("grid", PngImages.encode(new byte[4], 1, 2, 2), 10, "<script>")
                .imageRows("rows", List.of("<script>"), List.of(PngImages.encode(new byte[4], 1, 2, 2)), List.of(10), "c")
                .html();
        assertFalse(html.contains("<script>"), html);
        assertFalse(html.contains("<img src=x"), html);
        assertTrue(html.contains("<td>&lt;script&gt;</td>"), "the class name is shown as text");
        assertTrue(html.contains("<tr><th>&lt;script&gt;</th><td><img"), "a grid row's class name too");
        assertTrue(html.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>"));
    }

    @Test
    void isOneFileThatLoadsNothingElse() {
        byte[] png = PngImages.encode(new byte[]{0, (byte) 255, 0, (byte) 255}, 1, 2, 2);
        String html = new ReportPage("t", "s").image("grid", png, 40, "a grid").html();
        assertTrue(html.contains("Content-Security-Policy\" content=\"default-src 'none'; img-src data:;"));
        int at = html.indexOf("data:image/png;base64,") + "data:image/png;base64,".length();
        String base64 = html.substring(at, html.indexOf('"', at));
        assertArrayEquals(png, Base64.getDecoder().decode(base64), "the PNG's own bytes, inline");
        assertFalse(html.contains("http://") || html.contains("https://"), "no address to load from");
    }

    @Test
    void takesOnlyAnSvgElementAsMarkup() {
        assertThrows(IllegalArgumentException.class, () -> new ReportPage("t", "s").chart("c", "<script>", "x"));
        assertTrue(new ReportPage("t", "s").chart("c", "<svg></svg>", "<i>").html()
                .contains("<figure class=\"chart\" id=\"c\"><svg></svg><figcaption>&lt;i&gt;</figcaption>"));
    }

    @Test
    void numbersAreRightAligned() {
        String html = new ReportPage("t", "s").table(List.of("a", "b"), List.of(List.of("x", 3L))).html();
        assertTrue(html.contains("<td>x</td><td class=\"num\">3</td>"), html);
    }
}
