package dev.jseek.model;

import dev.jseek.tensor.FloatOps;
import dev.jseek.tensor.MatMul;
import dev.jseek.tensor.RangeTask;
import dev.jseek.tensor.Tensor;

/** {@code down(silu(gate(x)) * up(x))}, the feed-forward of llama-family models. */
final class SwiGluFeedForward implements FeedForward {

    /** SwiGLU's e^-x are computed this many at a time, through a scratch buffer. */
    static final int EXP_BLOCK = 256;

    private final MatMul matmul;
    private final Tensor down;
    /** gate and up: one product of the normalised input. */
    private final Tensor[] gateUp;
    private final int hidden;
    private final float[] gateOut;
    private final float[] upOut;
    private final float[][] gateUpOut;
    /** Per worker: a block of SwiGLU's e^-x. */
    private final float[][] expScratch;
    /** silu(gate) * up, split across the workers: on the calling thread alone it took 5% of its decode time at 2 threads. */
    private final RangeTask swigluTask = this::swigluRange;

    SwiGluFeedForward(MatMul matmul, Tensor gate, Tensor up, Tensor down, Workspace ws, int maxBatch) {
        this.matmul = matmul;
        this.down = down;
        this.gateUp = new Tensor[] {gate, up};
        this.hidden = Math.toIntExact(gate.rows());
        this.gateOut = ws.floats("ffn.gate", maxBatch * hidden);
        this.upOut = ws.floats("ffn.up", maxBatch * hidden);
        this.gateUpOut = new float[][] {gateOut, upOut};
        this.expScratch = ws.perWorker("ffn.exp", matmul.pool().threads(), EXP_BLOCK);
    }

    @Override
    public void forward(float[] xn, int batch, float[] out) {
        matmul.matMats(gateUp, xn, batch, gateUpOut);
        matmul.pool().parallelFor(batch * hidden, swigluTask);
        matmul.matMat(down, gateOut, batch, out);
    }

    private void swigluRange(int worker, int from, int to) {
        FloatOps.swiglu(gateOut, from, upOut, from, to - from, expScratch[worker]);
    }
}
