package io.sparkdiffusion.model.layers;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.reduce3.Dot;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

import static io.sparkdiffusion.model.layers.SpatialSelfAttentionParamInitializer.BIAS_OUT;
import static io.sparkdiffusion.model.layers.SpatialSelfAttentionParamInitializer.BIAS_QKV;
import static io.sparkdiffusion.model.layers.SpatialSelfAttentionParamInitializer.WEIGHT_OUT;
import static io.sparkdiffusion.model.layers.SpatialSelfAttentionParamInitializer.WEIGHT_QKV;

/**
 * The implementation of {@link SpatialSelfAttention}: forward and hand-written backprop, all batched ND4J ops (one
 * 2-D GEMM per projection, rank-4 batched matmuls over [N, heads] for the attention, one softmax op), no per-sample or
 * per-head loops. Output = Proj(Attention(x)), <b>no residual</b> (see {@link SpatialSelfAttention}).
 *
 * <p>Layout: the input [N, C, H, W] is copied once, token-major, to X [N·L, C] (L = H·W); QKV = X·Wqkv + b is
 * [N·L, 3C], and Q, K, V are strided [N, heads, L, d] views of it (no copies); the attention matrix A is
 * [N, heads, L, L]; the heads write their output straight into a token-major O [N·L, C] through a strided view;
 * Y = O·Wo + bo is copied back to NCHW. Backprop (S = Q Kᵀ/√d, A = softmax(S)):
 * <pre>
 *   dY = eps (token-major),  dWo = Oᵀ dY,  dbo = Σ dY,  dO = dY Woᵀ
 *   dA = dO Vᵀ,  dV = Aᵀ dO,  dS = A ⊙ (dA − Σ_keys dA ⊙ A)
 *   dQ = dS K / √d,  dK = dSᵀ Q / √d   (written into the matching column blocks of dQKV [N·L, 3C])
 *   dWqkv = Xᵀ dQKV,  dbqkv = Σ dQKV,  dX = dQKV Wqkvᵀ, copied back to NCHW
 * </pre>
 *
 * <p>Training forward passes keep X, QKV, A and O in four heap (off-workspace) arrays owned by the layer and reused
 * while the batch shape stays the same, so backprop does not repeat the forward pass; they are tagged with the input
 * array they belong to (by identity) and recomputed if backprop sees another input. Inference passes use workspace
 * working memory and leave the cache alone. As with any DL4J layer, parameters must not be changed between a
 * training forward pass and its backprop.
 */
public class SpatialSelfAttentionLayer extends BaseLayer<SpatialSelfAttention> {

    /** Heap arrays holding the last training forward pass: X [N·L, C], QKV [N·L, 3C], A [N, h, L, L], O [N·L, C]. */
    private INDArray cacheX;
    private INDArray cacheQkv;
    private INDArray cacheAttn;
    private INDArray cacheO;
    /** The input array the cache belongs to (compared by identity, never read); null when the cache is stale. */
    private INDArray cacheInput;

    public SpatialSelfAttentionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.CONVOLUTIONAL;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public void fit(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        throw new UnsupportedOperationException("SpatialSelfAttention cannot be fit on its own " + layerId());
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray x = input.castTo(dataType);
        Dims d = dims(x);
        Buffers b;
        if (training) {
            b = heapCache(d);
        } else {
            b = new Buffers(
                    workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType, new long[] {d.tokens, d.c}, 'c'),
                    workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType, new long[] {d.tokens, 3 * d.c}, 'c'),
                    workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType, new long[] {d.n, d.heads, d.l, d.l}, 'c'),
                    workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType, new long[] {d.tokens, d.c}, 'c'));
        }
        cacheInput = null;
        attention(x, d, b, training, workspaceMgr);
        if (training) {
            cacheInput = input;
        }

        // Y = O·Wo + bo (token-major), then back to NCHW
        INDArray y = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType, new long[] {d.tokens, d.c}, 'c');
        mmul(b.o, getParamWithNoise(WEIGHT_OUT, training, workspaceMgr), y, false, false, 1.0);
        y.addiRowVector(getParamWithNoise(BIAS_OUT, training, workspaceMgr));
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape(), 'c');
        out.assign(toNchw(y, d));
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray x = input.castTo(dataType);
        Dims d = dims(x);
        if (!Arrays.equals(epsilon.shape(), x.shape())) {
            throw new DL4JInvalidInputException("SpatialSelfAttention: epsilon shape "
                    + Arrays.toString(epsilon.shape()) + " differs from input shape " + Arrays.toString(x.shape())
                    + " " + layerId());
        }
        Buffers b = heapCache(d);
        if (cacheInput != input) {
            attention(x, d, b, true, workspaceMgr);
            cacheInput = input;
        }
        INDArray wqkv = getParamWithNoise(WEIGHT_QKV, true, workspaceMgr);
        INDArray wo = getParamWithNoise(WEIGHT_OUT, true, workspaceMgr);
        INDArray dWqkv = gradientViews.get(WEIGHT_QKV);
        INDArray dBqkv = gradientViews.get(BIAS_QKV);
        INDArray dWo = gradientViews.get(WEIGHT_OUT);
        INDArray dBo = gradientViews.get(BIAS_OUT);

        // output projection
        INDArray dy = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {d.tokens, d.c}, 'c');
        tokenView(dy, d).assign(epsilon.castTo(dataType).permute(0, 2, 3, 1));
        mmul(b.o, dy, dWo, true, false, 1.0);
        dy.sum(dBo, 0);
        INDArray dO = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {d.tokens, d.c}, 'c');
        mmul(dy, wo, dO, false, true, 1.0);
        INDArray dOh = heads(dO, d);

        // attention
        INDArray q = qkvHeads(b.qkv, d, 0);
        INDArray k = qkvHeads(b.qkv, d, 1);
        INDArray v = qkvHeads(b.qkv, d, 2);
        INDArray dQkv = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {d.tokens, 3 * d.c}, 'c');
        INDArray dA = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {d.n, d.heads, d.l, d.l}, 'c');
        mmul(dOh, v, dA, false, true, 1.0);                            // dA = dO Vᵀ
        mmul(b.attn, dOh, qkvHeads(dQkv, d, 2), true, false, 1.0);     // dV = Aᵀ dO

        // softmax backprop, in place: dS = A ⊙ (dA − Σ_keys dA ⊙ A)
        long rows = d.n * d.heads * d.l;
        INDArray dA2 = dA.reshape('c', rows, d.l);
        INDArray a2 = b.attn.reshape('c', rows, d.l);
        INDArray rowDot = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {rows}, 'c');
        OpExecutioner exec = Nd4j.getExecutioner();
        exec.exec(new Dot(dA2, a2, rowDot, 1));
        exec.exec(new BroadcastSubOp(dA2, rowDot, dA2, 0));
        dA2.muli(a2);

        double scale = 1.0 / Math.sqrt(d.dh);
        mmul(dA, k, qkvHeads(dQkv, d, 0), false, false, scale);      // dQ = dS K / √d
        mmul(dA, q, qkvHeads(dQkv, d, 1), true, false, scale);       // dK = dSᵀ Q / √d

        // input projection
        mmul(b.x, dQkv, dWqkv, true, false, 1.0);
        dQkv.sum(dBqkv, 0);
        INDArray dXt = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {d.tokens, d.c}, 'c');
        mmul(dQkv, wqkv, dXt, false, true, 1.0);
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape(), 'c');
        dx.assign(toNchw(dXt, d));

        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(WEIGHT_QKV, dWqkv);
        gradient.gradientForVariable().put(BIAS_QKV, dBqkv);
        gradient.gradientForVariable().put(WEIGHT_OUT, dWo);
        gradient.gradientForVariable().put(BIAS_OUT, dBo);
        weightNoiseParams.clear();
        return new Pair<>(gradient, backpropDropOutIfPresent(dx));
    }

    /**
     * Fills b.x (tokens), b.qkv, b.attn (softmax probabilities) and b.o (concatenated head outputs, token-major)
     * from x [N, C, H, W].
     */
    private void attention(INDArray x, Dims d, Buffers b, boolean training, LayerWorkspaceMgr workspaceMgr) {
        tokenView(b.x, d).assign(x.permute(0, 2, 3, 1));
        mmul(b.x, getParamWithNoise(WEIGHT_QKV, training, workspaceMgr), b.qkv, false, false, 1.0);
        b.qkv.addiRowVector(getParamWithNoise(BIAS_QKV, training, workspaceMgr));
        INDArray q = qkvHeads(b.qkv, d, 0);
        INDArray k = qkvHeads(b.qkv, d, 1);
        INDArray v = qkvHeads(b.qkv, d, 2);
        mmul(q, k, b.attn, false, true, 1.0 / Math.sqrt(d.dh));       // S = Q Kᵀ / √d
        Nd4j.exec(new SoftMax(b.attn, b.attn, 3));                    // A = softmax over the keys
        mmul(b.attn, v, heads(b.o, d), false, false, 1.0);            // O_h = A V_h, into O's head columns
    }

    /** c = alpha · op(a) · op(b), 2-D or batched over the leading dimensions; a, b and c may be strided views. */
    private static void mmul(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB, double alpha) {
        Nd4j.exec(new Mmul(a, b, c, alpha, 0.0,
                MMulTranspose.builder().transposeA(transposeA).transposeB(transposeB).build()));
    }

    /** Block {@code which} (0 = Q, 1 = K, 2 = V) of a token-major [N·L, 3C] array as an [N, heads, L, d] view. */
    private static INDArray qkvHeads(INDArray qkv, Dims d, int which) {
        return qkv.reshape('c', d.n, d.l, 3, d.heads, d.dh)
                .get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(which), NDArrayIndex.all(),
                        NDArrayIndex.all())
                .permute(0, 2, 1, 3);
    }

    /** A token-major [N·L, C] array as an [N, heads, L, d] view. */
    private static INDArray heads(INDArray tokens, Dims d) {
        return tokens.reshape('c', d.n, d.l, d.heads, d.dh).permute(0, 2, 1, 3);
    }

    /** A token-major [N·L, C] array as an [N, H, W, C] view. */
    private static INDArray tokenView(INDArray tokens, Dims d) {
        return tokens.reshape('c', d.n, d.h, d.w, d.c);
    }

    /** A token-major [N·L, C] array as an [N, C, H, W] (strided) view. */
    private static INDArray toNchw(INDArray tokens, Dims d) {
        return tokenView(tokens, d).permute(0, 3, 1, 2);
    }

    /** The heap cache arrays for this shape, (re)allocated outside any workspace when the shape or type changed. */
    private Buffers heapCache(Dims d) {
        long[] attnShape = {d.n, d.heads, d.l, d.l};
        if (cacheAttn == null || cacheAttn.dataType() != dataType || !Arrays.equals(cacheAttn.shape(), attnShape)
                || cacheX.size(1) != d.c) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                cacheX = Nd4j.createUninitialized(dataType, new long[] {d.tokens, d.c}, 'c');
                cacheQkv = Nd4j.createUninitialized(dataType, new long[] {d.tokens, 3 * d.c}, 'c');
                cacheAttn = Nd4j.createUninitialized(dataType, attnShape, 'c');
                cacheO = Nd4j.createUninitialized(dataType, new long[] {d.tokens, d.c}, 'c');
            }
            cacheInput = null;
        }
        return new Buffers(cacheX, cacheQkv, cacheAttn, cacheO);
    }

    private Dims dims(INDArray x) {
        if (x.rank() != 4) {
            throw new DL4JInvalidInputException("SpatialSelfAttention expects rank 4 input [N, C, H, W], got shape "
                    + Arrays.toString(x.shape()) + " " + layerId());
        }
        long channels = layerConf().getNOut();
        if (x.size(1) != channels) {
            throw new DL4JInvalidInputException("SpatialSelfAttention expects " + channels
                    + " channels (NCHW), got shape " + Arrays.toString(x.shape()) + " " + layerId());
        }
        return new Dims(x.size(0), x.size(1), x.size(2), x.size(3), layerConf().getNHeads());
    }

    @Override
    public void clear() {
        super.clear();
        cacheInput = null;
    }

    /** Token-major X, QKV, attention probabilities A and head outputs O of one forward pass. */
    private static final class Buffers {
        final INDArray x;
        final INDArray qkv;
        final INDArray attn;
        final INDArray o;

        Buffers(INDArray x, INDArray qkv, INDArray attn, INDArray o) {
            this.x = x;
            this.qkv = qkv;
            this.attn = attn;
            this.o = o;
        }
    }

    /** Sizes: batch, channels, height, width, L = H·W, N·L, heads, d = C/heads. */
    private static final class Dims {
        final long n;
        final long c;
        final long h;
        final long w;
        final long l;
        final long tokens;
        final long heads;
        final long dh;

        Dims(long n, long c, long h, long w, int heads) {
            this.n = n;
            this.c = c;
            this.h = h;
            this.w = w;
            this.l = h * w;
            this.tokens = n * l;
            this.heads = heads;
            this.dh = c / heads;
        }
    }
}
