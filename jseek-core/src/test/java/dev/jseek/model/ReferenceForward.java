package dev.jseek.model;

import dev.jseek.gguf.GgufFile;
import dev.jseek.gguf.ModelMetadata;
import dev.jseek.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * An independent, deliberately plain float64 forward pass written from the model definitions
 * (HF modeling code semantics), one token at a time with full K/V kept per position. MLA is
 * computed in its decompressed form (k_nope = W_UK c, v = W_UV c) and YaRN as DeepSeek's
 * rotary embedding defines it, so the engine's absorbed latent attention is checked against it.
 */
final class ReferenceForward {

    private final GgufFile f;
    private final ModelMetadata md;
    private final String arch;
    private final int e;
    private final int layers;
    private final int heads;
    private final double eps;
    private final List<double[][]> keys = new ArrayList<>();
    private final List<double[][]> values = new ArrayList<>();

    ReferenceForward(GgufFile f) {
        this.f = f;
        this.md = new ModelMetadata(f.metadata());
        this.arch = md.architecture();
        this.e = md.embeddingLength();
        this.layers = md.blockCount();
        this.heads = md.headCount()[0];
        this.eps = md.rmsNormEpsilon();
    }

    /** Logits after feeding {@code token} at the next position. */
    double[] next(int token) {
        int pos = keys.size();
        keys.add(new double[layers][]);
        values.add(new double[layers][]);
        double[] x = row("token_embd.weight", token);
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            double[] xn = norm(x, vec(p + "attn_norm.weight"));
            double[] a = arch.equals("deepseek2") ? mla(l, p, xn, pos) : attention(l, p, xn, pos);
            add(x, a);
            xn = norm(x, vec(p + "ffn_norm.weight"));
            add(x, arch.equals("deepseek2") && l >= md.leadingDenseBlockCount() ? moe(p, xn) : swiglu(p, "", xn));
        }
        double[] xn = norm(x, vec("output_norm.weight"));
        return matvec(f.tensor("output.weight") != null ? "output.weight" : "token_embd.weight", xn);
    }

    private double[] attention(int l, String p, double[] xn, int pos) {
        int hd = md.keyLength();
        int kvHeads = md.headCountKv()[0];
        double[] q = plusBias(matvec(p + "attn_q.weight", xn), p + "attn_q.bias");
        double[] k = plusBias(matvec(p + "attn_k.weight", xn), p + "attn_k.bias");
        double[] v = plusBias(matvec(p + "attn_v.weight", xn), p + "attn_v.bias");
        boolean neox = !arch.equals("llama");
        for (int h = 0; h < heads; h++) {
            if (arch.equals("qwen3")) {
                normSlice(q, h * hd, hd, vec(p + "attn_q_norm.weight"));
            }
            rotate(q, h * hd, hd, pos, neox);
        }
        for (int h = 0; h < kvHeads; h++) {
            if (arch.equals("qwen3")) {
                normSlice(k, h * hd, hd, vec(p + "attn_k_norm.weight"));
            }
            rotate(k, h * hd, hd, pos, neox);
        }
        keys.get(pos)[l] = k;
        values.get(pos)[l] = v;
        double[] out = new double[heads * hd];
        int group = heads / kvHeads;
        for (int h = 0; h < heads; h++) {
            int g = h / group;
            double[] s = new double[pos + 1];
            for (int t = 0; t <= pos; t++) {
                double[] kt = keys.get(t)[l];
                for (int i = 0; i < hd; i++) {
                    s[t] += q[h * hd + i] * kt[g * hd + i];
                }
                s[t] /= Math.sqrt(hd);
            }
            softmax(s);
            for (int t = 0; t <= pos; t++) {
                for (int i = 0; i < hd; i++) {
                    out[h * hd + i] += s[t] * values.get(t)[l][g * hd + i];
                }
            }
        }
        return matvec(p + "attn_output.weight", out);
    }

    private double[] mla(int l, String p, double[] xn, int pos) {
        int r = md.kvLoraRank();
        int dr = md.ropeDimensionCount();
        int dn = md.keyLengthMla() - dr;
        int dv = md.valueLengthMla();
        double[] q = md.qLoraRank() > 0
                ? matvec(p + "attn_q_b.weight", norm(matvec(p + "attn_q_a.weight", xn), vec(p + "attn_q_a_norm.weight")))
                : matvec(p + "attn_q.weight", xn);
        double[] kva = matvec(p + "attn_kv_a_mqa.weight", xn);
        double[] c = new double[r];
        System.arraycopy(kva, 0, c, 0, r);
        c = norm(c, vec(p + "attn_kv_a_norm.weight"));
        double[] kpe = new double[dr];
        System.arraycopy(kva, r, kpe, 0, dr);
        rotateYarn(kpe, 0, pos);
        for (int h = 0; h < heads; h++) {
            rotateYarn(q, h * (dn + dr) + dn, pos);
        }
        Tensor kb = f.tensor(p + "attn_k_b.weight");
        Tensor vb = f.tensor(p + "attn_v_b.weight");
        // Decompress this position's keys and values for every head.
        double[] k = new double[heads * (dn + dr)];
        double[] v = new double[heads * dv];
        for (int h = 0; h < heads; h++) {
            for (int ri = 0; ri < r; ri++) {
                double[] wukT = row(kb, (long) h * r + ri); // W_UK^T row ri: dn values
                for (int d = 0; d < dn; d++) {
                    k[h * (dn + dr) + d] += wukT[d] * c[ri];
                }
            }
            System.arraycopy(kpe, 0, k, h * (dn + dr) + dn, dr);
            for (int d = 0; d < dv; d++) {
                double[] wuv = row(vb, (long) h * dv + d);
                for (int ri = 0; ri < r; ri++) {
                    v[h * dv + d] += wuv[ri] * c[ri];
                }
            }
        }
        keys.get(pos)[l] = k;
        values.get(pos)[l] = v;
        double factor = md.ropeScalingFactor();
        double mscale = factor > 1 ? 1 + md.ropeYarnLogMultiplier() * Math.log(factor) : 1;
        double scale = mscale * mscale / Math.sqrt(dn + dr);
        double[] out = new double[heads * dv];
        for (int h = 0; h < heads; h++) {
            double[] s = new double[pos + 1];
            for (int t = 0; t <= pos; t++) {
                for (int i = 0; i < dn + dr; i++) {
                    s[t] += q[h * (dn + dr) + i] * keys.get(t)[l][h * (dn + dr) + i];
                }
                s[t] *= scale;
            }
            softmax(s);
            for (int t = 0; t <= pos; t++) {
                for (int i = 0; i < dv; i++) {
                    out[h * dv + i] += s[t] * values.get(t)[l][h * dv + i];
                }
            }
        }
        return matvec(p + "attn_output.weight", out);
    }

    private double[] moe(String p, double[] xn) {
        int n = md.expertCount();
        int k = md.expertUsedCount();
        int fe = md.expertFeedForwardLength();
        boolean sigmoid = md.expertGatingFunc() == 2;
        double[] logits = matvec(p + "ffn_gate_inp.weight", xn);
        double[] scores = new double[n];
        if (sigmoid) {
            for (int i = 0; i < n; i++) {
                scores[i] = 1 / (1 + Math.exp(-logits[i]));
            }
        } else {
            scores = logits.clone();
            softmax(scores);
        }
        double[] choice = scores.clone();
        double[] bias = f.tensor(p + "exp_probs_b.bias") != null ? vec(p + "exp_probs_b.bias") : null;
        for (int i = 0; bias != null && i < n; i++) {
            choice[i] += bias[i];
        }
        int groups = Math.max(1, md.expertGroupCount());
        int keep = md.expertGroupUsedCount();
        if (groups > 1 && keep < groups) {
            int size = n / groups;
            double[] gs = new double[groups];
            for (int g = 0; g < groups; g++) {
                double[] members = java.util.Arrays.copyOfRange(choice, g * size, (g + 1) * size);
                java.util.Arrays.sort(members);
                gs[g] = sigmoid ? members[size - 1] + members[size - 2] : members[size - 1];
            }
            boolean[] kept = new boolean[groups];
            for (int i = 0; i < keep; i++) {
                int best = -1;
                for (int g = 0; g < groups; g++) {
                    if (!kept[g] && (best < 0 || gs[g] > gs[best])) {
                        best = g;
                    }
                }
                kept[best] = true;
            }
            for (int i = 0; i < n; i++) {
                if (!kept[i / size]) {
                    choice[i] = 0;
                }
            }
        }
        int[] top = new int[k];
        double[] w = new double[k];
        boolean[] taken = new boolean[n];
        for (int i = 0; i < k; i++) {
            int best = -1;
            for (int j = 0; j < n; j++) {
                if (!taken[j] && (best < 0 || choice[j] > choice[best])) {
                    best = j;
                }
            }
            taken[best] = true;
            top[i] = best;
            w[i] = scores[best];
        }
        boolean norm = md.expertWeightsNorm();
        double scale = md.expertWeightsScale() == 0 ? 1 : md.expertWeightsScale();
        if (k > 1 && norm) {
            double sum = 1e-20;
            for (double x : w) {
                sum += x;
            }
            for (int i = 0; i < k; i++) {
                w[i] /= sum;
            }
        }
        if (sigmoid || !(k > 1 && norm)) {
            for (int i = 0; i < k; i++) {
                w[i] *= scale;
            }
        }
        double[] out = md.expertSharedCount() > 0 ? swiglu(p, "_shexp", xn) : new double[e];
        for (int i = 0; i < k; i++) {
            Tensor gate = f.tensor(p + "ffn_gate_exps.weight");
            Tensor up = f.tensor(p + "ffn_up_exps.weight");
            Tensor down = f.tensor(p + "ffn_down_exps.weight");
            double[] hidden = new double[fe];
            for (int j = 0; j < fe; j++) {
                double g = dot(row(gate, (long) top[i] * fe + j), xn);
                hidden[j] = g / (1 + Math.exp(-g)) * dot(row(up, (long) top[i] * fe + j), xn);
            }
            for (int j = 0; j < e; j++) {
                out[j] += w[i] * dot(row(down, (long) top[i] * e + j), hidden);
            }
        }
        return out;
    }

    private double[] swiglu(String p, String suffix, double[] xn) {
        double[] g = matvec(p + "ffn_gate" + suffix + ".weight", xn);
        double[] u = matvec(p + "ffn_up" + suffix + ".weight", xn);
        for (int i = 0; i < g.length; i++) {
            g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
        }
        return matvec(p + "ffn_down" + suffix + ".weight", g);
    }

    /** Plain RoPE on one head: adjacent pairs, or (NEOX) element i with i + d/2. */
    private void rotate(double[] x, int at, int d, int pos, boolean neox) {
        double base = md.ropeFreqBase();
        double[] factors = f.tensor("rope_freqs.weight") != null ? vec("rope_freqs.weight") : null;
        for (int i = 0; i < d / 2; i++) {
            double freq = Math.pow(base, -2.0 * i / d) / (factors != null ? factors[i] : 1);
            double a = pos * freq;
            int i0 = neox ? at + i : at + 2 * i;
            int i1 = neox ? at + i + d / 2 : at + 2 * i + 1;
            double x0 = x[i0];
            double x1 = x[i1];
            x[i0] = x0 * Math.cos(a) - x1 * Math.sin(a);
            x[i1] = x0 * Math.sin(a) + x1 * Math.cos(a);
        }
    }

    /** DeepSeek's YaRN rotary embedding on interleaved pairs, magnitude 1 (mscale / mscale_all_dim). */
    private void rotateYarn(double[] x, int at, int pos) {
        int d = md.ropeDimensionCount();
        double base = md.ropeFreqBase();
        double factor = md.ropeScalingFactor();
        double orig = md.ropeScalingOriginalContext();
        double low = Math.max(0, Math.floor(d * Math.log(orig / (32 * 2 * Math.PI)) / (2 * Math.log(base))));
        double high = Math.min(d - 1, Math.ceil(d * Math.log(orig / (1 * 2 * Math.PI)) / (2 * Math.log(base))));
        if (low == high) {
            high += 0.001;
        }
        for (int i = 0; i < d / 2; i++) {
            double extra = 1 / Math.pow(base, 2.0 * i / d);
            double inter = extra / factor;
            double mask = 1 - Math.min(1, Math.max(0, (i - low) / (high - low)));
            double a = pos * (factor > 1 ? inter * (1 - mask) + extra * mask : extra);
            double x0 = x[at + 2 * i];
            double x1 = x[at + 2 * i + 1];
            x[at + 2 * i] = x0 * Math.cos(a) - x1 * Math.sin(a);
            x[at + 2 * i + 1] = x0 * Math.sin(a) + x1 * Math.cos(a);
        }
    }

    private double[] norm(double[] x, double[] w) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double s = 1 / Math.sqrt(ss / x.length + eps);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * s * w[i];
        }
        return out;
    }

    private void normSlice(double[] x, int at, int n, double[] w) {
        double[] part = norm(java.util.Arrays.copyOfRange(x, at, at + n), w);
        System.arraycopy(part, 0, x, at, n);
    }

    private static void softmax(double[] s) {
        double max = java.util.Arrays.stream(s).max().orElseThrow();
        double sum = 0;
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.exp(s[i] - max);
            sum += s[i];
        }
        for (int i = 0; i < s.length; i++) {
            s[i] /= sum;
        }
    }

    private double[] plusBias(double[] x, String bias) {
        if (f.tensor(bias) != null) {
            add(x, vec(bias));
        }
        return x;
    }

    private static void add(double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private double[] matvec(String name, double[] x) {
        Tensor t = f.tensor(name);
        double[] out = new double[Math.toIntExact(t.rows())];
        for (int r = 0; r < out.length; r++) {
            out[r] = dot(row(t, r), x);
        }
        return out;
    }

    private double[] vec(String name) {
        return row(f.tensor(name), 0);
    }

    private double[] row(String name, long r) {
        return row(f.tensor(name), r);
    }

    private static double[] row(Tensor t, long r) {
        float[] buf = new float[t.rowLength()];
        t.dequantizeRow(r, buf, 0);
        double[] out = new double[buf.length];
        for (int i = 0; i < buf.length; i++) {
            out[i] = buf[i];
        }
        return out;
    }
}
