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
 * <p>Where a kernel offers it ({@link #twoRowLanes}), rows go two at a time, row r with row
 * r + rows/2: each loaded activation vector serves both, and the matrix is read as two
 * sequential streams. Pairs of adjacent rows, each stream skipping every other row, read from
 * memory slower than one row at a time (Q4_0 1536-weight rows, 1 thread: 9.2-9.7 against
 * 14.5-15.3 GB/s); far pairs are faster than either (BENCHMARKS.md, nineteenth session).
 */
abstract class RowLanesKernel implements TypeKernel {

    /** Bytes of a row of {@code n} weights. */
    abstract long rowSize(int n);

    /**
     * The product of the {@code n} weights at address {@code row} with the rounded activations,
     * as {@link Int8Simd#FL} float lanes stored at {@code lanes[lanesAt..)}.
     */
    abstract void rowLanes(long row, Q8Activations x, int n, float[] lanes, int lanesAt);

    /** Whether {@link #twoRowLanes} takes rows of {@code n} weights. */
    boolean hasTwoRowLanes(int n) {
        return false;
    }

    /**
     * {@link #rowLanes} of the row at {@code row} and of the row {@code distance} bytes further,
     * into {@code lanes[lanesAt..)} and the {@link Int8Simd#FL} floats after: the same lanes, each
     * loaded activation vector serving both rows.
     */
    void twoRowLanes(long row, long distance, Q8Activations x, int n, float[] lanes, int lanesAt) {
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
        if (hasTwoRowLanes(n)) {
            PairedRows.dotRows(byAddress, src, offset, rowBytes, rows, x, n, out, outOffset, scratch);
            return;
        }
        long first = src.address() + offset;
        for (int r = 0; r < rows; r++) {
            int slot = r % ROW_BATCH;
            rowLanes(first + r * rowBytes, x, n, scratch, LANES_AT + slot * Int8Simd.FL);
            if (slot == ROW_BATCH - 1 || r == rows - 1) {
                Int8Simd.sumRows(scratch, out, outOffset + r - slot, slot + 1);
            }
        }
    }

    /** This kernel's loops as {@link PairedRows}: a row at {@code src} plus an offset is read by its address. */
    private final PairedRows byAddress = new PairedRows() {
        @Override
        public void rowLanes(MemorySegment src, long row, Q8Activations x, int n, float[] lanes, int lanesAt) {
            RowLanesKernel.this.rowLanes(src.address() + row, x, n, lanes, lanesAt);
        }

        @Override
        public void twoRowLanes(MemorySegment src, long row, long distance, Q8Activations x, int n, float[] lanes, int lanesAt) {
            RowLanesKernel.this.twoRowLanes(src.address() + row, distance, x, n, lanes, lanesAt);
        }
    };
}
