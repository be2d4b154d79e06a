package dev.jseek.tensor;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Checks the JVM flag the kernels' speed depends on. C2 stops speculating on types in a method
 * whose inlined methods' deoptimization counts add up past half of
 * {@code PerMethodRecompilationCutoff}; the kernels inline the Vector API thousands of times, so
 * at the default (400) about half of the JVMs run them 2-4x slower for their whole life. The
 * launcher passes the flag; a front end started some other way tells its user with {@link #warning}.
 */
public final class JitSettings {

    public static final String FLAG = "-XX:PerMethodRecompilationCutoff=1000000";
    /** A cutoff this high keeps the summed counts of a kernel's compile well below its half. */
    static final long ENOUGH = 100_000;

    private JitSettings() {
    }

    /** The one-line warning for a JVM whose cutoff is {@code cutoff}; empty when it is high enough or unknown (not HotSpot). */
    public static Optional<String> warning(OptionalLong cutoff) {
        if (cutoff.isEmpty() || cutoff.getAsLong() >= ENOUGH) {
            return Optional.empty();
        }
        return Optional.of("jseek: this JVM runs without " + FLAG + " (PerMethodRecompilationCutoff is "
                + cutoff.getAsLong() + "), so its kernels may run 2-4x slower: start jseek with the ./jseek launcher"
                + " or add the flag");
    }

    /** This JVM's PerMethodRecompilationCutoff, if it is a HotSpot JVM that has the flag. */
    public static OptionalLong currentCutoff() {
        try {
            HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return hotSpot == null ? OptionalLong.empty()
                    : OptionalLong.of(Long.parseLong(hotSpot.getVMOption("PerMethodRecompilationCutoff").getValue()));
        } catch (IllegalArgumentException e) {
            return OptionalLong.empty();  // another JVM, or a HotSpot without the flag
        }
    }
}
