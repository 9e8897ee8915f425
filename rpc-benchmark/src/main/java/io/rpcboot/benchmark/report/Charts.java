package io.rpcboot.benchmark.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

/** Line charts (one line per peer, concurrency on the x axis) drawn with Java2D into PNG files. */
public final class Charts {

    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0x9467bd)};

    private Charts() {
    }

    /**
     * @param series peer name to values, one per concurrency level, in the order of {@code levels}
     */
    public static void lineChart(Path file, String title, String yLabel, List<Integer> levels,
                                 Map<String, double[]> series) throws IOException {
        int w = 720;
        int h = 420;
        int left = 90;
        int right = 160;
        int top = 50;
        int bottom = 60;
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        double max = 0;
        for (double[] values : series.values()) {
            for (double v : values) {
                max = Math.max(max, v);
            }
        }
        max = niceCeiling(max);
        int plotW = w - left - right;
        int plotH = h - top - bottom;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.setColor(Color.BLACK);
        g.drawString(title, left, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i <= 5; i++) { // horizontal grid and y labels
            int y = top + plotH - i * plotH / 5;
            g.setColor(new Color(0xdddddd));
            g.drawLine(left, y, left + plotW, y);
            g.setColor(Color.DARK_GRAY);
            String label = format(max * i / 5);
            g.drawString(label, left - 8 - g.getFontMetrics().stringWidth(label), y + 4);
        }
        for (int i = 0; i < levels.size(); i++) { // x labels: concurrency levels, evenly spaced
            int x = xOf(i, levels.size(), left, plotW);
            String label = String.valueOf(levels.get(i));
            g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, top + plotH + 18);
        }
        g.drawString("concurrent callers", left + plotW / 2 - 50, h - 15);
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(top + plotH / 2 + 40), 18);
        g.rotate(Math.PI / 2);
        g.setColor(Color.BLACK);
        g.drawRect(left, top, plotW, plotH);
        int s = 0;
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            Color color = COLORS[s % COLORS.length];
            g.setColor(color);
            g.setStroke(new BasicStroke(2.5f));
            double[] values = e.getValue();
            for (int i = 0; i < values.length; i++) {
                int x = xOf(i, values.length, left, plotW);
                int y = top + plotH - (int) Math.round(values[i] / max * plotH);
                g.fillOval(x - 4, y - 4, 8, 8);
                if (i > 0) {
                    int px = xOf(i - 1, values.length, left, plotW);
                    int py = top + plotH - (int) Math.round(values[i - 1] / max * plotH);
                    g.drawLine(px, py, x, y);
                }
            }
            g.fillRect(w - right + 15, top + 10 + s * 22, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), w - right + 36, top + 22 + s * 22);
            s++;
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static int xOf(int i, int n, int left, int plotW) {
        return left + (n == 1 ? plotW / 2 : 30 + i * (plotW - 60) / (n - 1));
    }

    private static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= v) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    static String format(double v) {
        if (v >= 1_000_000) {
            return String.format("%.1fM", v / 1_000_000);
        }
        if (v >= 10_000) {
            return String.format("%.0fk", v / 1000);
        }
        if (v >= 1000) {
            return String.format("%.1fk", v / 1000);
        }
        return v >= 10 ? String.format("%.0f", v) : String.format("%.1f", v);
    }
}
