package dev.jseek.tensor.types;

import dev.jseek.tensor.Q8Activations;
import dev.jseek.tensor.TypeKernel;
import java.lang.foreign.MemorySegment;

/**
 * The integer dot products of the 32-weight types (Q4_0, Q8_0): a row is a run of blocks read by
 * address through {@link Simd#MEMORY}, and its product is left as vector lanes still to be added
 * up. {@link #dotRows} checks its rows once and adds up the lanes of a batch of rows together:
 * adding each row's lanes before starting the next made every row wait for a chain of scalar
 * additions (Q4_0 1.02-1.09x in the kernel harness, BENCHMARKS.md).
 *
 * <p>Long rows go two at a time where a kernel offers it ({@link #twoRowLanes}): one at a time,
 * Q4_0 rows of 3072 weights and more read from memory at about half the speed of 1536-weight
 * rows over the very same bytes (512 bits; 8 against 14 GB/s), and two rows sharing each
 * loaded activation vector take the 1.5B file's down projections (8960 weights a row) from
 * 7.9-8.9 to 9.2-12.2 GB/s. Q8_0's two-row loop ran faster hot but slower from memory, so it
 * has none (BENCHMARKS.md).
 */
abstract class RowLanesKernel implements TypeKernel {

    /** Bytes of a row of {@code n} weights. */
    abstract long rowSize(int n);

    /**
     * The product of the {@code n} weights at address {@code row} with the rounded activations,
     * as {@link Int8Simd#FL} float lanes stored at {@code lanes[lanesAt..)}.
     */
    abstract void rowLanes(long row, Q8Activations x, int n, float[] lanes, int lanesAt);

    /** Rows at least this long go two at a time, where {@link #hasTwoRowLanes} allows. */
    static final int TWO_ROWS_FROM = 3072;

    /** Whether {@link #twoRowLanes} takes rows of {@code n} weights. */
    boolean hasTwoRowLanes(int n) {
        return false;
    }

    /**
     * {@link #rowLanes} of the row at {@code row} and of the next, {@code rowBytes} further, into
     * {@code lanes[lanesAt..)} and the {@link Int8Simd#FL} floats after: the same lanes, each
     * loaded activation vector serving both rows.
     */
    void twoRowLanes(long row, long rowBytes, Q8Activations x, int n, float[] lanes, int lanesAt) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no two-row kernel");
    }

    @Override
    public final boolean hasInt8Dot() {
        return true;
    }

    @Override
    public final float dot(MemorySegment src, long offset, Q8Activations x, int n, float[] scratch) {
        rowLanes(Simd.address(src, offset, rowSize(n)), x, n, scratch, 0);
        return Int8Simd.laneSum(scratch, 0);
    }

    @Override
    public final void dotRows(MemorySegment src, long offset, long rowBytes, int rows, Q8Activations x, int n,
            float[] out, int outOffset, float[] scratch) {
        Simd.checkRows(src, offset, rowBytes, rows, rowSize(n));
        long first = src.address() + offset;
        boolean twoAtATime = n >= TWO_ROWS_FROM && hasTwoRowLanes(n);
        for (int r = 0; r < rows; r++) {
            int slot = r % ROW_BATCH;
            // ROW_BATCH is even, so a pair starting at an even slot never crosses a batch.
            if (twoAtATime && r + 1 < rows) {
                twoRowLanes(first + r * rowBytes, rowBytes, x, n, scratch, LANES_AT + slot * Int8Simd.FL);
                r++;
                slot++;
            } else {
                rowLanes(first + r * rowBytes, x, n, scratch, LANES_AT + slot * Int8Simd.FL);
            }
            if (slot == ROW_BATCH - 1 || r == rows - 1) {
                Int8Simd.sumRows(scratch, out, outOffset + r - slot, slot + 1);
            }
        }
    }
}
