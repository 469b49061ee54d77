package io.herald.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Line charts drawn with java.awt in headless mode (no charting dependency): panels side by side,
 * one line with markers per series, linear axes from zero with labelled ticks.
 */
final class Chart {
    /** Ten distinct colours: five systems with two payloads each never share one. */
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf),
        new Color(0x7f7f7f), new Color(0xbcbd22)};
    private static final int W = 620;
    private static final int H = 440;

    /** One plot: series name to (x, y) points. */
    static final class Panel {
        final String title;
        final String xLabel;
        final String yLabel;
        final Map<String, List<double[]>> series = new LinkedHashMap<>();

        Panel(String title, String xLabel, String yLabel) {
            this.title = title;
            this.xLabel = xLabel;
            this.yLabel = yLabel;
        }

        void point(String series, double x, double y) {
            if (!Double.isNaN(y) && !Double.isInfinite(y)) {
                this.series.computeIfAbsent(series, k -> new ArrayList<>()).add(new double[] {x, y});
            }
        }
    }

    private Chart() {
    }

    /**
     * Writes &lt;results&gt;/&lt;scenario&gt;.png: up to two panels side by side, more in rows of two
     * (four panels make a 2 × 2 grid).
     */
    static Path write(String scenario, String title, List<Panel> panels) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int columns = Math.min(2, Math.max(1, panels.size()));
        int rows = (panels.size() + columns - 1) / columns;
        int series = panels.stream().mapToInt(p -> p.series.size()).max().orElse(0);
        int legendRows = (series + 1) / 2;
        // the legend starts 58 px below the plot; grow each cell when it needs more than the default room
        int cellHeight = H + Math.max(0, 58 + legendRows * 16 - 110 + 10);
        BufferedImage img = new BufferedImage(W * columns, 40 + cellHeight * rows, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, 20, 26);
        for (int i = 0; i < panels.size(); i++) {
            draw(g, panels.get(i), (i % columns) * W, 40 + (i / columns) * cellHeight);
        }
        g.dispose();
        Path out = Table.resultsDir().resolve(scenario + ".png");
        Files.createDirectories(out.getParent());
        ImageIO.write(img, "png", out.toFile());
        return out;
    }

    private static void draw(Graphics2D g, Panel p, int ox, int oy) {
        g.setStroke(new BasicStroke(1f));
        int left = ox + 80;
        int right = ox + W - 20;
        int top = oy + 30;
        int bottom = oy + H - 110;
        double maxX = niceMax(p.series.values().stream().flatMap(List::stream).mapToDouble(v -> v[0]).max().orElse(1));
        double maxY = niceMax(p.series.values().stream().flatMap(List::stream).mapToDouble(v -> v[1]).max().orElse(1));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.setColor(Color.BLACK);
        g.drawString(p.title, left, oy + 16);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int t = 0; t <= 5; t++) {
            int y = bottom - (bottom - top) * t / 5;
            int x = left + (right - left) * t / 5;
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(left, y, right, y);
            g.setColor(Color.DARK_GRAY);
            String yl = label(maxY * t / 5);
            g.drawString(yl, left - 6 - g.getFontMetrics().stringWidth(yl), y + 4);
            String xl = label(maxX * t / 5);
            g.drawString(xl, x - g.getFontMetrics().stringWidth(xl) / 2, bottom + 16);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, right - left, bottom - top);
        g.drawString(p.xLabel, (left + right) / 2 - g.getFontMetrics().stringWidth(p.xLabel) / 2, bottom + 34);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(p.yLabel, -(top + bottom) / 2 - g.getFontMetrics().stringWidth(p.yLabel) / 2, ox + 16);
        g.setTransform(saved);
        int i = 0;
        for (Map.Entry<String, List<double[]>> s : p.series.entrySet()) {
            g.setColor(COLORS[i % COLORS.length]);
            g.setStroke(new BasicStroke(2f));
            int px = -1;
            int py = -1;
            for (double[] v : s.getValue()) {
                int x = left + (int) ((right - left) * v[0] / maxX);
                int y = bottom - (int) ((bottom - top) * v[1] / maxY);
                g.fillOval(x - 4, y - 4, 8, 8);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            int ly = bottom + 52 + (i / 2) * 16;
            int lx = left + (i % 2) * 260;
            g.fillRect(lx, ly - 9, 14, 10);
            g.setColor(Color.BLACK);
            g.drawString(s.getKey(), lx + 20, ly);
            i++;
        }
    }

    /** A round axis maximum at or above {@code v}: 1, 2 or 5 times a power of ten. */
    static double niceMax(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String label(double v) {
        if (v >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (v >= 1e4) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format("%.2f", v).replaceAll("0+$", "");
    }
}
