package io.sparkdiffusion.model.layers;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.api.ops.impl.reduce3.Dot;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.api.ops.impl.transforms.floating.RSqrt;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * The implementation of {@link GroupNormalization}: forward and hand-written backprop with a handful of vectorized
 * ND4J ops on reshaped views, no per-sample loops.
 *
 * <p>With x viewed as [N, G, M] (M = C/G·H·W), per (sample n, group g): mean μ, rstd r = 1/sqrt(var + eps). The forward
 * pass folds everything into one per-(n, c) scale and shift, y = x·a + b with a = γ_c·r and b = β_c − μ·a (two passes
 * over the activations after the two statistics reductions). The backward pass uses the per-(n, c) sums
 * db = Σ_hw dy and ds = Σ_hw dy·x:
 * <pre>
 *   dβ_c = Σ_n db,   dγ_c = Σ_n (ds − μ·db)·r
 *   dx = a·dy + c2·x + c3,   c2 = (μ·Σ_c∈g γ db − Σ_c∈g γ ds)·r³/M,   c3 = −c2·μ − r·Σ_c∈g γ db / M
 * </pre>
 * (the same formulation as PyTorch's CPU kernel). The statistics of the last forward pass are kept in two small
 * off-workspace arrays [N, G] that are reused between iterations, and recomputed if backprop sees another input.
 */
public class GroupNormLayer extends BaseLayer<GroupNormalization> {

    /** Per (sample, group) mean and 1/sqrt(var + eps) of {@link #statsInput}; heap arrays, reused. */
    private INDArray mean;
    private INDArray rstd;
    /** The input array the statistics belong to (compared by identity, never read). */
    private INDArray statsInput;

    public GroupNormLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.NORMALIZATION;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public boolean hasBias() {
        return false;
    }

    @Override
    public void fit(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        throw new UnsupportedOperationException("GroupNormalization cannot be fit on its own " + layerId());
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray x = contiguous(input.castTo(dataType));
        Dims d = dims(x);
        computeStats(x, d);

        INDArray gamma3 = getParam(GroupNormParamInitializer.GAMMA).reshape('c', 1, d.g, d.cg);
        INDArray beta3 = getParam(GroupNormParamInitializer.BETA).reshape('c', 1, d.g, d.cg);
        INDArray scale3 = rstd.reshape('c', d.n, d.g, 1).mul(gamma3);                 // a = γ r      [N, G, C/G]
        INDArray shift3 = mean.reshape('c', d.n, d.g, 1).mul(scale3).rsubi(beta3);   // b = β − μ a  [N, G, C/G]

        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape(), 'c');
        INDArray x3 = x.reshape('c', d.n, d.c, d.hw);
        INDArray out3 = out.reshape('c', d.n, d.c, d.hw);
        OpExecutioner exec = Nd4j.getExecutioner();
        exec.exec(new BroadcastMulOp(x3, scale3.reshape('c', d.n, d.c), out3, 0, 1));
        exec.exec(new BroadcastAddOp(out3, shift3.reshape('c', d.n, d.c), out3, 0, 1));
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray x = contiguous(input.castTo(dataType));
        Dims d = dims(x);
        if (!Arrays.equals(epsilon.shape(), x.shape())) {
            throw new DL4JInvalidInputException("GroupNormalization: epsilon shape " + Arrays.toString(epsilon.shape())
                    + " differs from input shape " + Arrays.toString(x.shape()) + " " + layerId());
        }
        INDArray dy = contiguous(epsilon.castTo(dataType));
        if (statsInput != input || mean == null || mean.size(0) != d.n || mean.size(1) != d.g
                || mean.dataType() != dataType) {
            computeStats(x, d);
        }
        OpExecutioner exec = Nd4j.getExecutioner();
        INDArray x3 = x.reshape('c', d.n, d.c, d.hw);
        INDArray dy3 = dy.reshape('c', d.n, d.c, d.hw);

        // per (sample, channel): db = Σ_hw dy, ds = Σ_hw dy·x   [N, C]
        INDArray db = dy3.sum(2);
        INDArray ds = Nd4j.createUninitialized(dataType, d.n, d.c);
        exec.exec(new Dot(dy3, x3, ds, 2));

        INDArray gamma3 = getParam(GroupNormParamInitializer.GAMMA).reshape('c', 1, d.g, d.cg);
        INDArray mean3 = mean.reshape('c', d.n, d.g, 1);
        INDArray rstd3 = rstd.reshape('c', d.n, d.g, 1);
        INDArray db3 = db.reshape('c', d.n, d.g, d.cg);
        INDArray ds3 = ds.reshape('c', d.n, d.g, d.cg);

        // parameter gradients, written into the gradient views
        INDArray dGamma = gradientViews.get(GroupNormParamInitializer.GAMMA);
        INDArray dBeta = gradientViews.get(GroupNormParamInitializer.BETA);
        db.sum(dBeta, 0);
        db3.mul(mean3).rsubi(ds3).muli(rstd3).reshape('c', d.n, d.c).sum(dGamma, 0);

        // per (sample, group): Σ_c∈g γ db and Σ_c∈g γ ds   [N, G]
        INDArray dbg = db3.muli(gamma3).sum(2);
        INDArray dsg = ds3.muli(gamma3).sum(2);
        double invM = 1.0 / d.m;
        INDArray c2 = mean.mul(dbg).subi(dsg).muli(rstd).muli(rstd).muli(rstd).muli(invM);
        INDArray c3 = c2.mul(mean).addi(dbg.muli(rstd).muli(invM)).negi();
        INDArray scale = rstd3.mul(gamma3).reshape('c', d.n, d.c);

        // dx = a·dy + c2·x + c3
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape(), 'c');
        INDArray dxg = dx.reshape('c', d.n, d.g, d.m);
        exec.exec(new BroadcastMulOp(x.reshape('c', d.n, d.g, d.m), c2, dxg, 0, 1));
        exec.exec(new BroadcastAddOp(dxg, c3, dxg, 0, 1));
        INDArray ady = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, x3.shape(), 'c');
        exec.exec(new BroadcastMulOp(dy3, scale, ady, 0, 1));
        dx.reshape('c', d.n, d.c, d.hw).addi(ady);

        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(GroupNormParamInitializer.GAMMA, dGamma);
        gradient.gradientForVariable().put(GroupNormParamInitializer.BETA, dBeta);
        return new Pair<>(gradient, backpropDropOutIfPresent(dx));
    }

    /** Fills {@link #mean} and {@link #rstd} ([N, G]) for x and remembers which input they belong to. */
    private void computeStats(INDArray x, Dims d) {
        if (mean == null || mean.size(0) != d.n || mean.size(1) != d.g || mean.dataType() != dataType) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                mean = Nd4j.createUninitialized(dataType, d.n, d.g);
                rstd = Nd4j.createUninitialized(dataType, d.n, d.g);
            }
        }
        INDArray xg = x.reshape('c', d.n, d.g, d.m);
        OpExecutioner exec = Nd4j.getExecutioner();
        exec.exec(new Mean(xg, mean, 2));
        exec.exec(new Variance(xg, rstd, false, 2));
        rstd.addi(layerConf().getEps());
        exec.exec(new RSqrt(rstd, rstd));
        statsInput = input;
    }

    private Dims dims(INDArray x) {
        if (x.rank() != 4) {
            throw new DL4JInvalidInputException("GroupNormalization expects rank 4 input [N, C, H, W], got shape "
                    + Arrays.toString(x.shape()) + " " + layerId());
        }
        long channels = layerConf().getNOut();
        if (x.size(1) != channels) {
            throw new DL4JInvalidInputException("GroupNormalization expects " + channels + " channels (NCHW), got shape "
                    + Arrays.toString(x.shape()) + " " + layerId());
        }
        return new Dims(x.size(0), x.size(1), layerConf().getNGroups(), x.size(2) * x.size(3));
    }

    /** x itself when it is a plain c-order array (so reshapes are views), else a c-order copy. */
    private static INDArray contiguous(INDArray x) {
        if (x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x)) {
            return x;
        }
        return x.dup('c');
    }

    @Override
    public void clear() {
        super.clear();
        statsInput = null;
    }

    /** Sizes: batch, channels, groups, channels per group, H·W, elements per group. */
    private static final class Dims {
        final long n;
        final long c;
        final int g;
        final long cg;
        final long hw;
        final long m;

        Dims(long n, long c, int g, long hw) {
            this.n = n;
            this.c = c;
            this.g = g;
            this.cg = c / g;
            this.hw = hw;
            this.m = cg * hw;
        }
    }
}
