package io.sparkdiffusion.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
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
import org.nd4j.linalg.api.shape.Shape;
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
 * Y = O·Wo + bo is copied back to NCHW. The biases ride along in the GEMMs: X and O carry an extra column of ones
 * ([N·L, C+1]) and each bias row directly follows its weight matrix in the parameter (and gradient) view, so
 * [Wqkv; bqkv] is one [C+1, 3C] matrix and [Wo; bo] one [C+1, C] matrix — no separate bias add or bias-gradient
 * reduction. Backprop (S = Q Kᵀ/√d, A = softmax(S)):
 * <pre>
 *   dY = eps (token-major),  [dWo; dbo] = [O 1]ᵀ dY,  dO = dY Woᵀ
 *   dA = dO Vᵀ,  dV = Aᵀ dO,  dS = A ⊙ (dA − Σ_keys dA ⊙ A)
 *   dQ = dS K / √d,  dK = dSᵀ Q / √d   (written into the matching column blocks of dQKV [N·L, 3C])
 *   [dWqkv; dbqkv] = [X 1]ᵀ dQKV,  dX = dQKV Wqkvᵀ, copied back to NCHW
 * </pre>
 *
 * <p>Training forward passes keep X, QKV, A and O in four heap (off-workspace) arrays owned by the layer and reused
 * while the batch shape stays the same, so backprop does not repeat the forward pass; they are tagged with the input
 * array they belong to (by identity) and recomputed if backprop sees another input. Inference passes use workspace
 * working memory and leave the cache alone. As with any DL4J layer, parameters must not be changed between a
 * training forward pass and its backprop.
 */
public class SpatialSelfAttentionLayer extends ChannelPreservingCnnLayerImpl<SpatialSelfAttention> {

    /**
     * Heap arrays holding the last training forward pass: [X 1] [N·L, C+1], QKV [N·L, 3C], A [N, h, L, L],
     * [O 1] [N·L, C+1].
     */
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
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray x = input.castTo(dataType);
        Dims d = dims(x);
        Buffers b;
        if (training) {
            b = heapCache(d);
        } else {
            ArrayType ws = ArrayType.FF_WORKING_MEM;
            b = new Buffers(
                    withOnesColumn(create(workspaceMgr, ws, d.tokens, d.c + 1)),
                    create(workspaceMgr, ws, d.tokens, 3 * d.c),
                    create(workspaceMgr, ws, d.n, d.heads, d.l, d.l),
                    withOnesColumn(create(workspaceMgr, ws, d.tokens, d.c + 1)));
        }
        cacheInput = null;
        attention(x, d, b, training, ArrayType.FF_WORKING_MEM, workspaceMgr);
        if (training) {
            cacheInput = input;
        }

        // Y = [O 1]·[Wo; bo] (token-major), then back to NCHW
        INDArray y = create(workspaceMgr, ArrayType.FF_WORKING_MEM, d.tokens, d.c);
        INDArray woFused = fusedParam(WEIGHT_OUT, BIAS_OUT, training, ArrayType.FF_WORKING_MEM, workspaceMgr);
        mmul(b.o, woFused, y, false, false, 1.0);
        INDArray out = create(workspaceMgr, ArrayType.ACTIVATIONS, x.shape());
        out.assign(toNchw(y, d));
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray x = input.castTo(dataType);
        Dims d = dims(x);
        checkEpsilonShape(epsilon, x.shape());
        Buffers b = heapCache(d);
        if (cacheInput != input) {
            attention(x, d, b, true, ArrayType.BP_WORKING_MEM, workspaceMgr);
            cacheInput = input;
        }
        INDArray wqkv = getParamWithNoise(WEIGHT_QKV, true, workspaceMgr);
        INDArray wo = getParamWithNoise(WEIGHT_OUT, true, workspaceMgr);

        // output projection
        INDArray dy = create(workspaceMgr, ArrayType.BP_WORKING_MEM, d.tokens, d.c);
        nhwc(dy, d).assign(epsilon.castTo(dataType).permute(0, 2, 3, 1));
        fusedGradient(WEIGHT_OUT, BIAS_OUT, b.o, dy);                        // [dWo; dbo] = [O 1]ᵀ dY
        INDArray dO = create(workspaceMgr, ArrayType.BP_WORKING_MEM, d.tokens, d.c);
        mmul(dy, wo, dO, false, true, 1.0);
        INDArray dOh = heads(dO, d.c, 0, d);

        // attention
        INDArray q = heads(b.qkv, 3 * d.c, 0, d);
        INDArray k = heads(b.qkv, 3 * d.c, d.c, d);
        INDArray v = heads(b.qkv, 3 * d.c, 2 * d.c, d);
        INDArray dQkv = create(workspaceMgr, ArrayType.BP_WORKING_MEM, d.tokens, 3 * d.c);
        INDArray dA = create(workspaceMgr, ArrayType.BP_WORKING_MEM, d.n, d.heads, d.l, d.l);
        mmul(dOh, v, dA, false, true, 1.0);                                  // dA = dO Vᵀ
        mmul(b.attn, dOh, heads(dQkv, 3 * d.c, 2 * d.c, d), true, false, 1.0);  // dV = Aᵀ dO

        // softmax backprop, in place: dS = A ⊙ (dA − Σ_keys dA ⊙ A)
        long rows = d.n * d.heads * d.l;
        INDArray dA2 = dA.reshape('c', rows, d.l);
        INDArray a2 = b.attn.reshape('c', rows, d.l);
        INDArray rowDot = create(workspaceMgr, ArrayType.BP_WORKING_MEM, rows);
        OpExecutioner exec = Nd4j.getExecutioner();
        exec.exec(new Dot(dA2, a2, rowDot, 1));
        exec.exec(new BroadcastSubOp(dA2, rowDot, dA2, 0));
        dA2.muli(a2);

        double scale = 1.0 / Math.sqrt(d.dh);
        mmul(dA, k, heads(dQkv, 3 * d.c, 0, d), false, false, scale);      // dQ = dS K / √d
        mmul(dA, q, heads(dQkv, 3 * d.c, d.c, d), true, false, scale);     // dK = dSᵀ Q / √d

        // input projection
        fusedGradient(WEIGHT_QKV, BIAS_QKV, b.x, dQkv);                      // [dWqkv; dbqkv] = [X 1]ᵀ dQKV
        INDArray dXt = create(workspaceMgr, ArrayType.BP_WORKING_MEM, d.tokens, d.c);
        mmul(dQkv, wqkv, dXt, false, true, 1.0);
        INDArray dx = create(workspaceMgr, ArrayType.ACTIVATION_GRAD, x.shape());
        dx.assign(toNchw(dXt, d));

        Gradient gradient = new DefaultGradient();
        for (String key : new String[] {WEIGHT_QKV, BIAS_QKV, WEIGHT_OUT, BIAS_OUT}) {
            gradient.gradientForVariable().put(key, gradientViews.get(key));
        }
        weightNoiseParams.clear();
        return new Pair<>(gradient, backpropDropOutIfPresent(dx));
    }

    /**
     * Fills b.x ([X 1], tokens), b.qkv, b.attn (softmax probabilities) and b.o ([O 1], concatenated head outputs,
     * token-major) from x [N, C, H, W]. The ones columns of b.x and b.o must already be set.
     */
    private void attention(INDArray x, Dims d, Buffers b, boolean training, ArrayType workingMem,
                           LayerWorkspaceMgr workspaceMgr) {
        nhwc(b.x, d).assign(x.permute(0, 2, 3, 1));
        mmul(b.x, fusedParam(WEIGHT_QKV, BIAS_QKV, training, workingMem, workspaceMgr), b.qkv, false, false, 1.0);
        INDArray q = heads(b.qkv, 3 * d.c, 0, d);
        INDArray k = heads(b.qkv, 3 * d.c, d.c, d);
        INDArray v = heads(b.qkv, 3 * d.c, 2 * d.c, d);
        mmul(q, k, b.attn, false, true, 1.0 / Math.sqrt(d.dh));       // S = Q Kᵀ / √d
        Nd4j.exec(new SoftMax(b.attn, b.attn, 3));                    // A = softmax over the keys
        mmul(b.attn, v, heads(b.o, d.c + 1, 0, d), false, false, 1.0); // O_h = A V_h, into O's head columns
    }

    /**
     * [W; b] as one [rows + 1, cols] matrix: a view of the parameters when the bias row directly follows the weight
     * matrix in memory (always, unless weight noise or a cloned parameter table breaks the layout), else a copy.
     */
    private INDArray fusedParam(String weightKey, String biasKey, boolean training, ArrayType workingMem,
                                LayerWorkspaceMgr workspaceMgr) {
        INDArray w = getParamWithNoise(weightKey, training, workspaceMgr);
        INDArray bias = getParamWithNoise(biasKey, training, workspaceMgr);
        INDArray fused = adjacentRows(w, bias);
        if (fused == null) {
            fused = workspaceMgr.createUninitialized(workingMem, dataType, new long[] {w.size(0) + 1, w.size(1)}, 'c');
            fused.get(NDArrayIndex.interval(0, w.size(0)), NDArrayIndex.all()).assign(w);
            fused.get(NDArrayIndex.interval(w.size(0), w.size(0) + 1), NDArrayIndex.all()).assign(bias);
        }
        return fused;
    }

    /**
     * [dW; db] = inputsᵀ · delta ([N·L, rows + 1]ᵀ · [N·L, cols]), one GEMM into the gradient views, which
     * {@link SpatialSelfAttentionParamInitializer#getGradientsFromFlattened} always lays out bias-after-weight.
     */
    private void fusedGradient(String weightKey, String biasKey, INDArray inputs, INDArray delta) {
        INDArray fused = adjacentRows(gradientViews.get(weightKey), gradientViews.get(biasKey));
        if (fused == null) {
            throw new IllegalStateException("SpatialSelfAttention: the gradient views of " + weightKey + " and "
                    + biasKey + " are not adjacent " + layerId());
        }
        mmul(inputs, delta, fused, true, false, 1.0);
    }

    /**
     * A c-order [rows + 1, cols] view over w [rows, cols] and the row vector b, if b's elements directly follow w's in
     * the same buffer (both plain c-order, same type); null otherwise.
     */
    static INDArray adjacentRows(INDArray w, INDArray b) {
        if (w.rank() != 2 || w.ordering() != 'c' || !Shape.hasDefaultStridesForShape(w) || b.length() != w.size(1)
                || b.elementWiseStride() != 1 || w.dataType() != b.dataType()
                || w.data().address() != b.data().address() || b.offset() != w.offset() + w.length()) {
            return null;
        }
        return Nd4j.create(w.data(), new long[] {w.size(0) + 1, w.size(1)}, new long[] {w.size(1), 1}, w.offset(),
                'c');
    }

    /** An uninitialized c-order array of the layer's data type from the workspace of the given array type. */
    private INDArray create(LayerWorkspaceMgr workspaceMgr, ArrayType type, long... shape) {
        return workspaceMgr.createUninitialized(type, dataType, shape, 'c');
    }

    /** c = alpha · op(a) · op(b), 2-D or batched over the leading dimensions; a, b and c may be strided views. */
    private static void mmul(INDArray a, INDArray b, INDArray c, boolean transposeA, boolean transposeB, double alpha) {
        Nd4j.exec(new Mmul(a, b, c, alpha, 0.0,
                MMulTranspose.builder().transposeA(transposeA).transposeB(transposeB).build()));
    }

    /**
     * Columns [from, from + C) of a c-order token-major matrix [N·L, rowLength] as an [N, heads, L, d] view (head i =
     * columns from + i·d .. from + i·d + d − 1).
     */
    private static INDArray heads(INDArray tokens, long rowLength, long from, Dims d) {
        return Nd4j.create(tokens.data(), new long[] {d.n, d.heads, d.l, d.dh},
                new long[] {d.l * rowLength, d.dh, rowLength, 1}, tokens.offset() + from, 'c');
    }

    /** The first C columns of a c-order token-major matrix [N·L, C or C+1] as an [N, H, W, C] view. */
    private static INDArray nhwc(INDArray tokens, Dims d) {
        return tokens.reshape('c', d.n, d.h, d.w, tokens.size(1))
                .get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, d.c));
    }

    /** A c-order token-major [N·L, C] matrix as an [N, C, H, W] (strided) view. */
    private static INDArray toNchw(INDArray tokens, Dims d) {
        return tokens.reshape('c', d.n, d.h, d.w, d.c).permute(0, 3, 1, 2);
    }

    /** Sets the last column of a [rows, C+1] matrix to 1 (the bias input). */
    private static INDArray withOnesColumn(INDArray tokens) {
        long last = tokens.size(1) - 1;
        tokens.get(NDArrayIndex.all(), NDArrayIndex.interval(last, last + 1)).assign(1.0);
        return tokens;
    }

    /** The heap cache arrays for this shape, (re)allocated outside any workspace when the shape or type changed. */
    private Buffers heapCache(Dims d) {
        long[] attnShape = {d.n, d.heads, d.l, d.l};
        if (cacheAttn == null || cacheAttn.dataType() != dataType || !Arrays.equals(cacheAttn.shape(), attnShape)
                || cacheX.size(1) != d.c + 1) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                cacheX = withOnesColumn(Nd4j.createUninitialized(dataType, new long[] {d.tokens, d.c + 1}, 'c'));
                cacheQkv = Nd4j.createUninitialized(dataType, new long[] {d.tokens, 3 * d.c}, 'c');
                cacheAttn = Nd4j.createUninitialized(dataType, attnShape, 'c');
                cacheO = withOnesColumn(Nd4j.createUninitialized(dataType, new long[] {d.tokens, d.c + 1}, 'c'));
            }
            cacheInput = null;
        }
        return new Buffers(cacheX, cacheQkv, cacheAttn, cacheO);
    }

    private Dims dims(INDArray x) {
        checkNchwShape(x);
        return new Dims(x.size(0), x.size(1), x.size(2), x.size(3), layerConf().getNHeads());
    }

    @Override
    public void clear() {
        super.clear();
        cacheInput = null;
    }

    /** Token-major [X 1], QKV, attention probabilities A and [O 1] of one forward pass. */
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
