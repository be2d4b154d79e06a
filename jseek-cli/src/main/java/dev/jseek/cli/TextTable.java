package dev.jseek.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Rows of text printed in columns as wide as their widest cell, the last column unpadded. */
final class TextTable {

    private final String indent;
    private final List<String[]> rows = new ArrayList<>();

    TextTable(String indent, String... header) {
        this.indent = indent;
        rows.add(header);
    }

    TextTable row(String... cells) {
        rows.add(cells);
        return this;
    }

    void print(PrintWriter out) {
        int columns = rows.getFirst().length;
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder(indent);
            for (int c = 0; c < columns; c++) {
                line.append(c == columns - 1 ? r[c] : r[c] + " ".repeat(width[c] - r[c].length() + 2));
            }
            out.println(line);
        }
    }
}
