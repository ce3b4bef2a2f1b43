package org.asyncprimer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Connections in progress over time, one line per run, as a plain SVG: what "holds thousands" looks like. Each
 * run's series is a CSV ({@code ms,inProgress}) written next to the results.
 */
final class Chart {

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

    private Chart() {
    }

    static void writeSeries(Path csv, List<LoadLoop.Sample> samples) throws IOException {
        StringBuilder out = new StringBuilder("ms,inProgress\n");
        samples.forEach(s -> out.append(s.atMillis()).append(',').append(s.inProgress()).append('\n'));
        Files.createDirectories(csv.toAbsolutePath().getParent());
        Files.writeString(csv, out);
    }

    /** Draws the given series files (their names label the lines) into one SVG. */
    static void draw(Path svg, List<Path> csvs) throws IOException {
        List<List<long[]>> series = new ArrayList<>();
        long maxX = 1;
        long maxY = 1;
        for (Path csv : csvs) {
            List<long[]> points = new ArrayList<>();
            List<String> lines = Files.readAllLines(csv);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",");
                long[] p = {Long.parseLong(f[0]), Long.parseLong(f[1])};
                maxX = Math.max(maxX, p[0]);
                maxY = Math.max(maxY, p[1]);
                points.add(p);
            }
            series.add(points);
        }
        int w = 760;
        int h = 360;
        int left = 70;
        int bottom = 40;
        int plotW = w - left - 20;
        int plotH = h - bottom - 20;
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' "
                        + "font-size='12'>\n<rect width='100%%' height='100%%' fill='white'/>\n", w, h));
        out.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='black'/>\n",
                left, 20 + plotH, left + plotW, 20 + plotH));
        out.append(String.format(Locale.ROOT, "<line x1='%d' y1='20' x2='%d' y2='%d' stroke='black'/>\n",
                left, left, 20 + plotH));
        out.append(String.format(Locale.ROOT, "<text x='%d' y='%d' text-anchor='middle'>seconds (max %.1f)</text>\n",
                left + plotW / 2, h - 8, maxX / 1000.0));
        out.append(String.format(Locale.ROOT, "<text x='8' y='16'>connections in progress (max %d)</text>\n", maxY));
        for (int i = 0; i <= 4; i++) {
            long value = maxY * i / 4;
            int y = 20 + plotH - (int) (plotH * i / 4.0);
            out.append(String.format(Locale.ROOT, "<text x='%d' y='%d' text-anchor='end'>%d</text>\n",
                    left - 6, y + 4, value));
        }
        for (int s = 0; s < series.size(); s++) {
            StringBuilder points = new StringBuilder();
            for (long[] p : series.get(s)) {
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ",
                        left + plotW * (double) p[0] / maxX, 20 + plotH - plotH * (double) p[1] / maxY));
            }
            String colour = COLOURS[s % COLOURS.length];
            out.append(String.format("<polyline fill='none' stroke='%s' stroke-width='2' points='%s'/>\n",
                    colour, points.toString().trim()));
            String name = csvs.get(s).getFileName().toString().replaceFirst("\\.csv$", "");
            long peak = series.get(s).stream().mapToLong(p -> p[1]).max().orElse(0);
            out.append(String.format(Locale.ROOT, "<text x='%d' y='%d' fill='%s' text-anchor='end'>%s (peak %d)</text>\n",
                    left + plotW - 4, 40 + 16 * s, colour, name, peak));
        }
        Files.writeString(svg, out.append("</svg>\n"));
    }
}
