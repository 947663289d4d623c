package io.sparkdiffusion.model;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import java.util.Arrays;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sinusoidal embedding of integer timesteps, as {@code timestep_embedding} of the PyTorch reference
 * (bench/reference/ddpm_ref.py): half = dim/2, freq_i = exp(−ln(10000)·i/half), emb = [sin(t·freq), cos(t·freq)]
 * (the sin block first). The reference computes in float32; so do the frequencies and arguments here
 * (only sin/cos run in double before the final rounding), which keeps values within a float ulp or so of
 * PyTorch's even at t ≈ 1000 where the arguments are large.
 */
public final class TimestepEmbedding {
    private static final float LN_10000 = (float) Math.log(10000.0);

    private TimestepEmbedding() {
    }

    /** [N, dim] FLOAT, row i embedding timesteps[i]. */
    public static INDArray embed(int[] timesteps, int dim) {
        float[] freqs = frequencies(dim);
        int half = freqs.length;
        float[] out = new float[timesteps.length * dim];
        for (int n = 0; n < timesteps.length; n++) {
            float t = timesteps[n];
            int row = n * dim;
            for (int i = 0; i < half; i++) {
                double arg = t * freqs[i]; // float product, as torch's t.float() * freqs
                out[row + i] = (float) Math.sin(arg);
                out[row + half + i] = (float) Math.cos(arg);
            }
        }
        return Nd4j.create(out, new long[] {timesteps.length, dim}, 'c');
    }

    /** The same embedding for a timestep shared by a batch of n. */
    public static INDArray embed(int timestep, int n, int dim) {
        int[] t = new int[n];
        Arrays.fill(t, timestep);
        return embed(t, dim);
    }

    /** freq_i = exp(−ln(10000)·i/half), i = 0 … half−1, in float32 like the reference. */
    static float[] frequencies(int dim) {
        if (dim < 2 || dim % 2 != 0) {
            throw new IllegalArgumentException("timestep embedding dim must be even and at least 2, got " + dim);
        }
        int half = dim / 2;
        float[] freqs = new float[half];
        for (int i = 0; i < half; i++) {
            float exponent = (-LN_10000 * i) / half;
            freqs[i] = (float) Math.exp(exponent);
        }
        return freqs;
    }
}
