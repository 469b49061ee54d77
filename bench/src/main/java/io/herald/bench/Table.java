package io.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Markdown table with a title and notes, printed to stdout and written to
 * &lt;results&gt;/&lt;scenario&gt;.md ({@link #resultsDir()}: bench/results unless {@code --results DIR} says otherwise).
 */
final class Table {
    /** Where tables and charts go; set once from {@code --results} before a scenario runs (see {@link LoadContext}). */
    private static volatile Path resultsDir = Path.of("bench/results");
    private final String title;
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    Table(String title, List<String> headers) {
        this.title = title;
        this.headers = headers;
    }

    void add(List<String> cells) {
        addQuietly(cells);
        System.err.println("row: " + String.join(" | ", cells)); // progress while a long run goes on
    }

    /** Adds a row without the progress line (for detail tables whose rows are logged otherwise). */
    void addQuietly(List<String> cells) {
        rows.add(cells);
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

    /** Prints and writes &lt;results&gt;/&lt;scenario&gt;.md; returns the path. */
    Path publish(String scenario) throws IOException {
        return publish(scenario, List.of());
    }

    /** Like {@link #publish(String)}, with further tables (e.g. every measured step) after this one in the file. */
    Path publish(String scenario, List<Table> more) throws IOException {
        StringBuilder md = new StringBuilder(markdown());
        for (Table t : more) {
            md.append('\n').append(t.markdown());
        }
        System.out.println();
        System.out.println(md);
        Path out = resultsDir.resolve(scenario + ".md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md);
        return out;
    }

    static Path resultsDir() {
        return resultsDir;
    }

    /** Smoke runs write elsewhere so they never overwrite the committed results. */
    static void resultsDir(Path dir) {
        resultsDir = dir;
    }

    static String ms(long nanos) {
        return String.format("%.2f", nanos / 1e6);
    }

    static String num(double v, String format) {
        return Double.isNaN(v) ? "n/a" : String.format(format, v);
    }
}
