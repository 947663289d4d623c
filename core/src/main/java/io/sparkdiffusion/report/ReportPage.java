package io.sparkdiffusion.report;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One self-contained HTML page: headings, fact tables, tables, text, inline SVG charts and PNG images as
 * {@code data:} URIs, with its style inside. A Content-Security-Policy allows nothing but inline style and
 * {@code data:} images, so the page loads nothing from anywhere and runs no script, whatever a string in it holds.
 * Every string given is escaped ({@link Html#escape}); only {@link #chart}'s SVG is taken as markup.
 */
public final class ReportPage {
    private static final String STYLE = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
            main{max-width:1000px;margin:0 auto;padding:24px 32px 48px;background:#fff;min-height:100vh;box-sizing:border-box}
            h1{font-size:24px;margin:0 0 4px}
            .subtitle{color:#5b6475;margin:0 0 20px}
            h2{font-size:18px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid #dde1e8}
            table{border-collapse:collapse;font-size:14px;margin:6px 0 12px}
            th,td{padding:4px 12px 4px 0;vertical-align:top;text-align:left}
            table.facts th{font-weight:600;color:#3a4252;white-space:nowrap;padding-right:20px}
            table.facts td,table.data td{overflow-wrap:anywhere}
            table.data th{border-bottom:2px solid #c9ced8}
            table.data td{border-bottom:1px solid #eceef2}
            td.num{text-align:right;font-variant-numeric:tabular-nums;word-break:normal;white-space:nowrap}
            figure{margin:8px 0 16px}
            figure svg{width:100%;height:auto;display:block}
            figure img{image-rendering:pixelated;max-width:100%;border:1px solid #dde1e8}
            table.rows th{font-weight:600;color:#3a4252;vertical-align:middle;padding-right:12px;white-space:nowrap}
            table.rows td{padding:0}
            table.rows img{border:0;display:block}
            figcaption{font-size:13px;color:#5b6475;margin-top:4px}
            p{font-size:14px;line-height:1.45}
            """;

    private final String title;
    private final String subtitle;
    private final StringBuilder body = new StringBuilder();

    public ReportPage(String title, String subtitle) {
        this.title = title;
        this.subtitle = subtitle;
    }

    public ReportPage section(String heading) {
        body.append("<h2>").append(Html.escape(heading)).append("</h2>\n");
        return this;
    }

    public ReportPage text(String paragraph) {
        body.append("<p>").append(Html.escape(paragraph)).append("</p>\n");
        return this;
    }

    /** Name → value rows, in the map's order. */
    public ReportPage facts(Map<String, ?> facts) {
        body.append("<table class=\"facts\">\n");
        facts.forEach((name, value) -> body.append("<tr><th>").append(Html.escape(name)).append("</th><td>")
                .append(Html.escape(value)).append("</td></tr>\n"));
        body.append("</table>\n");
        return this;
    }

    /** A table with a header row; numbers are right-aligned. */
    public ReportPage table(List<String> header, List<? extends List<?>> rows) {
        body.append("<table class=\"data\">\n<tr>");
        for (String name : header) {
            body.append("<th>").append(Html.escape(name)).append("</th>");
        }
        body.append("</tr>\n");
        for (List<?> row : rows) {
            body.append("<tr>");
            for (Object cell : row) {
                body.append(cell instanceof Number ? "<td class=\"num\">" : "<td>").append(Html.escape(cell))
                        .append("</td>");
            }
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    /**
     * An SVG chart drawn by this project's code ({@code io.sparkdiffusion.train.LossCurve#svg}); it must be one
     * {@code <svg>} element, and nothing a user typed may reach it unescaped.
     */
    public ReportPage chart(String id, String svgElement, String caption) {
        if (!svgElement.startsWith("<svg")) {
            throw new IllegalArgumentException("a chart must be one <svg> element");
        }
        body.append("<figure class=\"chart\" id=\"").append(Html.escape(id)).append("\">").append(svgElement)
                .append("<figcaption>").append(Html.escape(caption)).append("</figcaption></figure>\n");
        return this;
    }

    /** A PNG shown at {@code width} CSS pixels (pixelated when enlarged: these are small images). */
    public ReportPage image(String id, byte[] png, int width, String caption) {
        body.append("<figure class=\"image\" id=\"").append(Html.escape(id)).append("\"><img src=\"")
                .append(Html.pngDataUri(png)).append("\" width=\"").append(width).append("\" alt=\"")
                .append(Html.escape(caption)).append("\"><figcaption>").append(Html.escape(caption))
                .append("</figcaption></figure>\n");
        return this;
    }

    /** Labelled rows of PNGs (a grid with one class per row, each row named). */
    public ReportPage imageRows(String id, List<String> names, List<byte[]> pngs, List<Integer> widths, String caption) {
        body.append("<figure class=\"image\" id=\"").append(Html.escape(id)).append("\"><table class=\"rows\">\n");
        for (int i = 0; i < pngs.size(); i++) {
            body.append("<tr><th>").append(Html.escape(names.get(i))).append("</th><td><img src=\"")
                    .append(Html.pngDataUri(pngs.get(i))).append("\" width=\"").append(widths.get(i))
                    .append("\" alt=\"").append(Html.escape(names.get(i))).append("\"></td></tr>\n");
        }
        body.append("</table><figcaption>").append(Html.escape(caption)).append("</figcaption></figure>\n");
        return this;
    }

    public String html() {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
                + "style-src 'unsafe-inline'\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>" + Html.escape(title) + "</title>\n<style>\n" + STYLE + "</style>\n</head>\n<body>\n<main>\n"
                + "<h1>" + Html.escape(title) + "</h1>\n<p class=\"subtitle\">" + Html.escape(subtitle) + "</p>\n"
                + body + "</main>\n</body>\n</html>\n";
    }

    public byte[] bytes() {
        return html().getBytes(StandardCharsets.UTF_8);
    }
}
