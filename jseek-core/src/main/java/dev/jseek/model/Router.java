package dev.jseek.model;

/**
 * DeepSeek's MoE gate: which experts a token goes to, and with what weights. Follows DeepSeek's
 * own definition (MoEGate of modeling_deepseek), which differs from llama.cpp in three corners:
 * V2's group-limited routing scores a group by its best expert (V3: the sum of its best two);
 * experts of dropped groups are masked with 0.0, not -inf; V2 applies the routed scaling factor
 * only when it does not normalise. V2 is softmax gating, V3 sigmoid gating with a selection bias.
 */
public final class Router {

    public enum Gating { SOFTMAX, SIGMOID }

    private final Gating gating;
    private final int experts;
    private final int used;
    private final int groups;
    private final int groupsUsed;
    private final boolean normalize;
    private final float scale;
    private final float[] bias;

    private final float[] scores;
    private final float[] selection;
    private final float[] groupScores;
    private final boolean[] groupKept;

    /**
     * @param bias  added to the scores to choose experts (not to weigh them), or null
     * @param scale the routed scaling factor (1 = none)
     */
    public Router(Gating gating, int experts, int used, int groups, int groupsUsed, boolean normalize, float scale, float[] bias) {
        if (used < 1 || used > experts) {
            throw new ModelException("experts used per token (" + used + ") must be between 1 and the expert count " + experts);
        }
        if (groups > 1 && (experts % groups != 0 || groupsUsed < 1 || groupsUsed > groups)) {
            throw new ModelException("expert groups " + groups + " / used " + groupsUsed + " do not fit " + experts + " experts");
        }
        this.gating = gating;
        this.experts = experts;
        this.used = used;
        this.groups = Math.max(1, groups);
        this.groupsUsed = groupsUsed;
        this.normalize = normalize;
        this.scale = scale;
        this.bias = bias;
        this.scores = new float[experts];
        this.selection = new float[experts];
        this.groupScores = new float[this.groups];
        this.groupKept = new boolean[this.groups];
    }

    public int used() {
        return used;
    }

    /**
     * Routes one token from its router logits at {@code logits[offset..]}: writes the chosen experts
     * (best first) and their weights to {@code chosen[at..]} and {@code weights[at..]}.
     * Not thread-safe: one router per thread.
     */
    public void route(float[] logits, int offset, int[] chosen, float[] weights, int at) {
        gate(logits, offset);
        for (int e = 0; e < experts; e++) {
            selection[e] = bias == null ? scores[e] : scores[e] + bias[e];
        }
        if (groups > 1 && groupsUsed < groups) {
            limitToBestGroups();
        }
        for (int k = 0; k < used; k++) {
            int best = -1;
            for (int e = 0; e < experts; e++) {
                if (!taken(chosen, at, k, e) && (best < 0 || selection[e] > selection[best])) {
                    best = e;
                }
            }
            chosen[at + k] = best;
            weights[at + k] = scores[best];
        }
        boolean v2 = gating == Gating.SOFTMAX;
        if (used > 1 && normalize) {
            double sum = 1e-20;
            for (int k = 0; k < used; k++) {
                sum += weights[at + k];
            }
            for (int k = 0; k < used; k++) {
                weights[at + k] = (float) (weights[at + k] / sum);
            }
        }
        if (!(v2 && used > 1 && normalize)) {
            for (int k = 0; k < used; k++) {
                weights[at + k] *= scale;
            }
        }
    }

    private void gate(float[] logits, int offset) {
        if (gating == Gating.SIGMOID) {
            for (int e = 0; e < experts; e++) {
                scores[e] = (float) (1.0 / (1.0 + Math.exp(-logits[offset + e])));
            }
            return;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int e = 0; e < experts; e++) {
            max = Math.max(max, logits[offset + e]);
        }
        double sum = 0;
        for (int e = 0; e < experts; e++) {
            scores[e] = (float) Math.exp(logits[offset + e] - max);
            sum += scores[e];
        }
        for (int e = 0; e < experts; e++) {
            scores[e] = (float) (scores[e] / sum);
        }
    }

    /** Keeps the experts of the best groups; the others get a selection value of 0. */
    private void limitToBestGroups() {
        int size = experts / groups;
        for (int g = 0; g < groups; g++) {
            float first = Float.NEGATIVE_INFINITY;
            float second = Float.NEGATIVE_INFINITY;
            for (int e = g * size; e < (g + 1) * size; e++) {
                float s = selection[e];
                if (s > first) {
                    second = first;
                    first = s;
                } else if (s > second) {
                    second = s;
                }
            }
            groupScores[g] = gating == Gating.SOFTMAX || size == 1 ? first : first + second;
            groupKept[g] = false;
        }
        for (int k = 0; k < groupsUsed; k++) {
            int best = -1;
            for (int g = 0; g < groups; g++) {
                if (!groupKept[g] && (best < 0 || groupScores[g] > groupScores[best])) {
                    best = g;
                }
            }
            groupKept[best] = true;
        }
        for (int e = 0; e < experts; e++) {
            if (!groupKept[e / size]) {
                selection[e] = 0f;
            }
        }
    }

    private static boolean taken(int[] chosen, int at, int count, int e) {
        for (int i = 0; i < count; i++) {
            if (chosen[at + i] == e) {
                return true;
            }
        }
        return false;
    }
}
