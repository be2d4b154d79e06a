package dev.jseek.model;

import dev.jseek.tensor.FloatOps;
import dev.jseek.tensor.MatMul;
import dev.jseek.tensor.Tensor;
import java.util.Arrays;

/**
 * DeepSeek's fine-grained mixture of experts: a router picks a few small SwiGLU experts per
 * token, their outputs are mixed with the router's weights, and shared experts (always on) are
 * added. Tokens of a batch are grouped by expert so each chosen expert's weights are read once
 * per batch, and experts no token chose are not read at all.
 */
final class MoeFeedForward implements FeedForward {

    private final MatMul matmul;
    private final Tensor router;
    private final Router routing;
    /** Per expert, its gate and up: one product of the tokens routed to it. */
    private final Tensor[][] gateUps;
    private final Tensor[] downs;
    private final FeedForward shared;
    private final int embedding;
    private final int hidden;
    private final int used;

    private final float[] routerLogits;
    private final int[] chosen;
    private final float[] weights;
    private final int[] tokensOf;
    private final float[] gathered;
    private final float[] gateOut;
    private final float[] upOut;
    private final float[] expScratch;
    private final float[][] gateUpOut;
    private final float[] downOut;

    MoeFeedForward(MatMul matmul, Tensor router, Router routing, Tensor[] gates, Tensor[] ups, Tensor[] downs,
                   FeedForward shared, int embedding, Workspace ws, int maxBatch) {
        this.matmul = matmul;
        this.router = router;
        this.routing = routing;
        this.gateUps = new Tensor[gates.length][];
        Arrays.setAll(gateUps, e -> new Tensor[] {gates[e], ups[e]});
        this.downs = downs;
        this.shared = shared;
        this.embedding = embedding;
        this.hidden = Math.toIntExact(gates[0].rows());
        this.used = routing.used();
        this.routerLogits = ws.floats("moe.router", maxBatch * gates.length);
        this.chosen = new int[maxBatch * used];
        this.weights = ws.floats("moe.weights", maxBatch * used);
        this.tokensOf = new int[maxBatch];
        this.gathered = ws.floats("moe.gathered", maxBatch * embedding);
        this.gateOut = ws.floats("moe.gate", maxBatch * hidden);
        this.upOut = ws.floats("moe.up", maxBatch * hidden);
        this.expScratch = ws.floats("moe.exp", SwiGluFeedForward.EXP_BLOCK);
        this.gateUpOut = new float[][] {gateOut, upOut};
        this.downOut = ws.floats("moe.down", maxBatch * embedding);
    }

    @Override
    public void forward(float[] xn, int batch, float[] out) {
        int experts = gateUps.length;
        matmul.matMat(router, xn, batch, routerLogits);
        for (int b = 0; b < batch; b++) {
            routing.route(routerLogits, b * experts, chosen, weights, b * used);
        }
        if (shared != null) {
            shared.forward(xn, batch, out);
        } else {
            Arrays.fill(out, 0, batch * embedding, 0f);
        }
        for (int e = 0; e < experts; e++) {
            int n = 0;
            for (int b = 0; b < batch; b++) {
                if (slotOf(b, e) >= 0) {
                    System.arraycopy(xn, b * embedding, gathered, n * embedding, embedding);
                    tokensOf[n++] = b;
                }
            }
            if (n == 0) {
                continue;
            }
            matmul.matMats(gateUps[e], gathered, n, gateUpOut);
            FloatOps.swiglu(gateOut, 0, upOut, 0, n * hidden, expScratch);
            matmul.matMat(downs[e], gateOut, n, downOut);
            for (int i = 0; i < n; i++) {
                int b = tokensOf[i];
                FloatOps.axpy(out, b * embedding, weights[b * used + slotOf(b, e)], downOut, i * embedding, embedding);
            }
        }
    }

    /** Which of token b's slots holds expert e, or -1. */
    private int slotOf(int b, int e) {
        for (int k = 0; k < used; k++) {
            if (chosen[b * used + k] == e) {
                return k;
            }
        }
        return -1;
    }
}
