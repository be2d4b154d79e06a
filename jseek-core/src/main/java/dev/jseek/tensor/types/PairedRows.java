package dev.jseek.tensor.types;

import dev.jseek.tensor.Q8Activations;
import dev.jseek.tensor.TypeKernel;
import java.lang.foreign.MemorySegment;

/**
 * A kernel's 512-bit loops, one row or two at a time (Q4_K, Q6_K; Q4_0 and Q8_0 through
 * {@link RowLanesKernel}), and their row order: row r with row r + rows/2 (why: RowLanesKernel).
 */
interface PairedRows {

    /** One row's product, left as {@link Int8Simd#FL} float lanes at {@code lanes[lanesAt..)}. */
    void rowLanes(MemorySegment src, long row, Q8Activations x, int n, float[] lanes, int lanesAt);

    /** {@link #rowLanes} of the row at {@code row} and of the row {@code distance} bytes further, into two runs of lanes. */
    void twoRowLanes(MemorySegment src, long row, long distance, Q8Activations x, int n, float[] lanes, int lanesAt);

    /** {@link TypeKernel#dotRows} on these loops: pairs first, an odd count's last row alone. */
    static void dotRows(PairedRows kernel, MemorySegment src, long offset, long rowBytes, int rows, Q8Activations x, int n,
            float[] out, int outOffset, float[] scratch) {
        int half = rows / 2;
        for (int p = 0; p < half; p++) {
            int slot = p % Int8Simd.PAIR_BATCH;
            kernel.twoRowLanes(src, offset + p * rowBytes, half * rowBytes, x, n, scratch, TypeKernel.LANES_AT + 2 * slot * Int8Simd.FL);
            if (slot == Int8Simd.PAIR_BATCH - 1 || p == half - 1) {
                Int8Simd.sumRowPairs(scratch, out, outOffset + p - slot, outOffset + half + p - slot, slot + 1);
            }
        }
        if (rows % 2 == 1) {
            kernel.rowLanes(src, offset + (rows - 1) * rowBytes, x, n, scratch, TypeKernel.LANES_AT);
            out[outOffset + rows - 1] = Int8Simd.laneSum(scratch, TypeKernel.LANES_AT);
        }
    }
}
