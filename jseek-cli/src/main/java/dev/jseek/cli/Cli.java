package dev.jseek.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** What every command shares: how errors reach the user (one line, no stack trace). */
final class Cli {

    private Cli() {
    }

    /** Fails with a one-line message unless {@code p} is a readable regular file. */
    static Path existingFile(Path p) {
        if (!Files.exists(p)) {
            throw new UserError("no such file: " + p);
        }
        if (!Files.isRegularFile(p)) {
            throw new UserError("not a regular file: " + p);
        }
        if (!Files.isReadable(p)) {
            throw new UserError("cannot read " + p + " (permission denied)");
        }
        return p;
    }

    /** A problem the user can fix; its message is printed as is. */
    static final class UserError extends RuntimeException {
        UserError(String message) {
            super(message);
        }
    }

    static CommandLine configure(CommandLine cl) {
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            err.println("jseek: " + oneLine(e));
            if (System.getenv("JSEEK_DEBUG") != null) {
                e.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        cl.setParameterExceptionHandler((ParameterException e, String[] args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("jseek: " + e.getMessage() + " (see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            err.flush();
            return 2;
        });
        return cl;
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException) {
            m = "no such file: " + m;
        } else if (e instanceof java.nio.file.AccessDeniedException) {
            m = "permission denied: " + m;
        } else if (e instanceof OutOfMemoryError) {
            m = "out of memory (" + m + "); try a smaller model or context, or raise -Xmx via JSEEK_JAVA_OPTS";
        } else if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        return m.lines().findFirst().orElse(m);
    }
}
