package io.sparkdiffusion.diffusion;

import io.sparkdiffusion.runtime.NativeArrays;
import io.sparkdiffusion.schedule.NoiseSchedule;
import java.util.Arrays;
import java.util.function.IntToDoubleFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;

/**
 * q(x_t | x_0) and the algebra between the three things a network may predict (ε, x̂_0, v), on whole
 * batches. With a = √ᾱ_t and s = √(1 − ᾱ_t) (so a² + s² = 1):
 * <pre>
 *   x_t = a·x_0 + s·ε        v = a·ε − s·x_0
 *   x_0 = (x_t − s·ε)/a = a·x_t − s·v        ε = (x_t − a·x_0)/s = s·x_t + a·v        v = (ε − s·x_t)/a
 * </pre>
 * Every method comes in two forms: {@code int[] t} gives each image its own timestep (training batches;
 * the per-image coefficients [N] are broadcast over C, H, W), {@code int t} shares one timestep (sampling).
 * Arrays are FLOAT [N, ...]; coefficients are computed in double and rounded to float once.
 */
public final class ForwardProcess {
    private final NoiseSchedule schedule;

    public ForwardProcess(NoiseSchedule schedule) {
        this.schedule = schedule;
    }

    public NoiseSchedule schedule() {
        return schedule;
    }

    /** x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε. */
    public INDArray addNoise(INDArray x0, INDArray noise, int[] t) {
        return combine(x0, this::a, noise, this::s, t);
    }

    public INDArray addNoise(INDArray x0, INDArray noise, int t) {
        return combine(x0, a(t), noise, s(t));
    }

    /** The v-prediction target v = √ᾱ_t·ε − √(1−ᾱ_t)·x_0. */
    public INDArray velocity(INDArray x0, INDArray noise, int[] t) {
        return combine(noise, this::a, x0, k -> -s(k), t);
    }

    public INDArray velocity(INDArray x0, INDArray noise, int t) {
        return combine(noise, a(t), x0, -s(t));
    }

    /** x̂_0 = (x_t − √(1−ᾱ_t)·ε̂)/√ᾱ_t. */
    public INDArray x0FromEps(INDArray xt, INDArray eps, int[] t) {
        return combine(xt, k -> 1.0 / a(k), eps, k -> -s(k) / a(k), t);
    }

    public INDArray x0FromEps(INDArray xt, INDArray eps, int t) {
        return combine(xt, 1.0 / a(t), eps, -s(t) / a(t));
    }

    /** ε̂ = (x_t − √ᾱ_t·x̂_0)/√(1−ᾱ_t). */
    public INDArray epsFromX0(INDArray xt, INDArray x0, int[] t) {
        return combine(xt, k -> 1.0 / s(k), x0, k -> -a(k) / s(k), t);
    }

    public INDArray epsFromX0(INDArray xt, INDArray x0, int t) {
        return combine(xt, 1.0 / s(t), x0, -a(t) / s(t));
    }

    /** x̂_0 = √ᾱ_t·x_t − √(1−ᾱ_t)·v̂. */
    public INDArray x0FromV(INDArray xt, INDArray v, int[] t) {
        return combine(xt, this::a, v, k -> -s(k), t);
    }

    public INDArray x0FromV(INDArray xt, INDArray v, int t) {
        return combine(xt, a(t), v, -s(t));
    }

    /** ε̂ = √(1−ᾱ_t)·x_t + √ᾱ_t·v̂ (what a v-predicting network hands to an ε-based sampler). */
    public INDArray epsFromV(INDArray xt, INDArray v, int[] t) {
        return combine(xt, this::s, v, this::a, t);
    }

    public INDArray epsFromV(INDArray xt, INDArray v, int t) {
        return combine(xt, s(t), v, a(t));
    }

    /** v̂ = (ε̂ − √(1−ᾱ_t)·x_t)/√ᾱ_t. */
    public INDArray vFromEps(INDArray xt, INDArray eps, int[] t) {
        return combine(eps, k -> 1.0 / a(k), xt, k -> -s(k) / a(k), t);
    }

    public INDArray vFromEps(INDArray xt, INDArray eps, int t) {
        return combine(eps, 1.0 / a(t), xt, -s(t) / a(t));
    }

    private double a(int t) {
        checkTimestep(t);
        return schedule.sqrtAlphaBar(t);
    }

    private double s(int t) {
        checkTimestep(t);
        return schedule.sqrtOneMinusAlphaBar(t);
    }

    /** ca(t)·x + cb(t)·y with one coefficient per image, broadcast along dimension 0. */
    private static INDArray combine(INDArray x, IntToDoubleFunction ca, INDArray y, IntToDoubleFunction cb, int[] t) {
        checkBatch(x, y, t);
        INDArray coefficientsA = perImage(ca, t, x.dataType());
        INDArray coefficientsB = perImage(cb, t, y.dataType());
        INDArray first = Broadcast.mul(x, coefficientsA, x.ulike(), 0);
        INDArray second = Broadcast.mul(y, coefficientsB, y.ulike(), 0);
        first.addi(second);
        NativeArrays.free(coefficientsA, coefficientsB, second); // per-step temporaries (NativeArrays says why)
        return first;
    }

    /** ca·x + cb·y for a timestep shared by the batch. */
    private static INDArray combine(INDArray x, double ca, INDArray y, double cb) {
        checkShapes(x, y);
        INDArray second = y.mul(cb);
        INDArray sum = x.mul(ca).addi(second);
        NativeArrays.free(second);
        return sum;
    }

    private static INDArray perImage(IntToDoubleFunction coefficient, int[] t, DataType type) {
        double[] c = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            c[i] = coefficient.applyAsDouble(t[i]);
        }
        INDArray doubles = Nd4j.createFromArray(c);
        if (type == DataType.DOUBLE) {
            return doubles;
        }
        INDArray cast = doubles.castTo(type);
        NativeArrays.free(doubles);
        return cast;
    }

    private void checkTimestep(int t) {
        if (t < 0 || t >= schedule.timesteps()) {
            throw new IllegalArgumentException("timestep " + t + " outside 0 … " + (schedule.timesteps() - 1));
        }
    }

    private static void checkBatch(INDArray x, INDArray y, int[] t) {
        checkShapes(x, y);
        if (t == null || t.length != x.size(0)) {
            throw new IllegalArgumentException("need one timestep per image: batch " + x.size(0) + ", timesteps "
                    + (t == null ? "null" : t.length));
        }
    }

    private static void checkShapes(INDArray x, INDArray y) {
        if (!Arrays.equals(x.shape(), y.shape())) {
            throw new IllegalArgumentException("shapes differ: " + Arrays.toString(x.shape()) + " vs "
                    + Arrays.toString(y.shape()));
        }
    }
}
