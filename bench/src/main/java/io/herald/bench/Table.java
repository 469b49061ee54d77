package io.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A Markdown table with a title and notes, printed to stdout and written to bench/results/&lt;scenario&gt;.md. */
final class Table {
    private final String title;
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    Table(String title, List<String> headers) {
        this.title = title;
        this.headers = headers;
    }

    void add(List<String> cells) {
        rows.add(cells);
        System.err.println("row: " + String.join(" | ", cells)); // progress while a long run goes on
    }

    /** A row for a system that could not run, so it is never silently missing. */
    void skipped(String system, String reason) {
        List<String> cells = new ArrayList<>(List.of(system, "skipped: " + reason));
        while (cells.size() < headers.size()) {
            cells.add("");
        }
        add(cells);
    }

    void note(String note) {
        notes.add(note);
    }

    String markdown() {
        StringBuilder sb = new StringBuilder("### ").append(title).append("\n\n");
        sb.append("| ").append(String.join(" | ", headers)).append(" |\n|");
        sb.append("---|".repeat(headers.size())).append('\n');
        for (List<String> r : rows) {
            sb.append("| ").append(String.join(" | ", r.stream().map(c -> c.replace("|", "\\|")).toList())).append(" |\n");
        }
        for (String n : notes) {
            sb.append("\n").append(n).append('\n');
        }
        return sb.toString();
    }

    /** Prints and writes bench/results/&lt;scenario&gt;.md; returns the path. */
    Path publish(String scenario) throws IOException {
        String md = markdown();
        System.out.println();
        System.out.println(md);
        Path out = Path.of("bench/results", scenario + ".md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md);
        return out;
    }

    static String ms(long nanos) {
        return String.format("%.2f", nanos / 1e6);
    }

    static String num(double v, String format) {
        return Double.isNaN(v) ? "n/a" : String.format(format, v);
    }
}
