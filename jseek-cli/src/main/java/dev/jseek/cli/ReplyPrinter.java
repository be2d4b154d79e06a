package dev.jseek.cli;

import dev.jseek.template.ReasoningSplitter;
import java.io.PrintWriter;

/**
 * Streams a reply to the terminal: R1-style reasoning ({@code <think>...</think>}) dimmed, or
 * hidden, and the answer plain. Without a terminal no colour codes are written.
 */
final class ReplyPrinter {

    private static final String DIM = "\u001b[2m";
    private static final String RESET = "\u001b[0m";

    private final PrintWriter out;
    private final ReasoningSplitter splitter;
    private final boolean hideThink;
    private final boolean colour;
    private boolean inReasoning;

    ReplyPrinter(PrintWriter out, ReasoningSplitter splitter, boolean hideThink, boolean colour) {
        this.out = out;
        this.splitter = splitter;
        this.hideThink = hideThink;
        this.colour = colour;
    }

    void accept(String piece) {
        print(splitter.feed(piece));
    }

    void finish() {
        print(splitter.finish());
        if (inReasoning && colour) {
            out.print(RESET);
        }
        out.flush();
    }

    private void print(ReasoningSplitter.Delta d) {
        if (!d.reasoning().isEmpty() && !hideThink) {
            if (colour && !inReasoning) {
                out.print(DIM);
            }
            inReasoning = true;
            out.print(d.reasoning());
        }
        if (!d.content().isEmpty()) {
            if (inReasoning) {
                if (colour) {
                    out.print(RESET);
                }
                if (!hideThink) {
                    out.println();
                }
                inReasoning = false;
            }
            out.print(d.content());
        }
        out.flush();
    }
}
