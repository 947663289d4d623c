package io.sparkdiffusion.model.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInitXavierUniform;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters of a {@link SpatialSelfAttention} layer with C channels, in this order in the layer's flattened
 * parameter view (the gradient view is laid out the same way):
 * <ul>
 *   <li>{@code Wqkv} [C, 3C] (c order): columns 0..C−1 project to Q, C..2C−1 to K, 2C..3C−1 to V; within each block
 *       head i owns the d = C/h consecutive columns i·d..i·d+d−1 (PyTorch's head split);</li>
 *   <li>{@code bqkv} [1, 3C], same column layout;</li>
 *   <li>{@code Wo} [C, C] (c order), rows in the concatenated-heads order;</li>
 *   <li>{@code bo} [1, C].</li>
 * </ul>
 * Tokens are row vectors: q = x·Wq + bq (so a PyTorch {@code Linear} weight is the transpose of the block).
 * Each bias directly follows its weight matrix, so [Wqkv; bqkv] and [Wo; bo] are contiguous [C+1, 3C] and [C+1, C]
 * c-order matrices; {@link SpatialSelfAttentionLayer} relies on that to fold the biases into its GEMMs.
 * Initialization is described on {@link SpatialSelfAttention}.
 */
public final class SpatialSelfAttentionParamInitializer implements ParamInitializer {

    public static final String WEIGHT_QKV = "Wqkv";
    public static final String BIAS_QKV = "bqkv";
    public static final String WEIGHT_OUT = "Wo";
    public static final String BIAS_OUT = "bo";

    private static final SpatialSelfAttentionParamInitializer INSTANCE = new SpatialSelfAttentionParamInitializer();
    private static final List<String> KEYS = List.of(WEIGHT_QKV, BIAS_QKV, WEIGHT_OUT, BIAS_OUT);
    private static final List<String> WEIGHTS = List.of(WEIGHT_QKV, WEIGHT_OUT);
    private static final List<String> BIASES = List.of(BIAS_QKV, BIAS_OUT);

    private SpatialSelfAttentionParamInitializer() {
    }

    public static SpatialSelfAttentionParamInitializer getInstance() {
        return INSTANCE;
    }

    /** 4C² + 4C for C channels. */
    public static long numParams(long channels) {
        return 4 * channels * channels + 4 * channels;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        return numParams(((SpatialSelfAttention) layer).getNOut());
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return KEYS;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return WEIGHTS;
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return BIASES;
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return WEIGHTS.contains(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return BIASES.contains(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        SpatialSelfAttention layer = (SpatialSelfAttention) conf.getLayer();
        long c = layer.getNOut();
        Map<String, INDArray> views = split(paramsView, c, "parameter");
        if (initializeParams) {
            IWeightInit init = layer.getWeightInitFn() != null ? layer.getWeightInitFn()
                    : new WeightInitXavierUniform();
            double biasInit = Double.isNaN(layer.getBiasInit()) ? 0.0 : layer.getBiasInit();
            // fan-in = fan-out = C: Q, K and V are three C×C projections sharing one matrix
            init.init(c, c, new long[] {c, 3 * c}, 'c', views.get(WEIGHT_QKV));
            views.get(BIAS_QKV).assign(biasInit);
            if (layer.isZeroInitOutput()) {
                views.get(WEIGHT_OUT).assign(0.0);
            } else {
                init.init(c, c, new long[] {c, c}, 'c', views.get(WEIGHT_OUT));
            }
            views.get(BIAS_OUT).assign(biasInit);
        }
        Map<String, INDArray> params = Collections.synchronizedMap(new LinkedHashMap<>());
        for (String key : KEYS) {
            params.put(key, views.get(key));
            conf.addVariable(key);
        }
        return params;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        long c = ((SpatialSelfAttention) conf.getLayer()).getNOut();
        return split(gradientView, c, "gradient");
    }

    /** Views of the flattened [1, 4C² + 4C] array: Wqkv [C, 3C] c, bqkv [1, 3C], Wo [C, C] c, bo [1, C]. */
    private static Map<String, INDArray> split(INDArray flat, long c, String what) {
        if (flat.length() != numParams(c)) {
            throw new IllegalStateException("SpatialSelfAttention with " + c + " channels expects a " + what
                    + " view of length " + numParams(c) + ", got " + flat.length());
        }
        long wqkvEnd = 3 * c * c;
        long bqkvEnd = wqkvEnd + 3 * c;
        long woEnd = bqkvEnd + c * c;
        long boEnd = woEnd + c;
        Map<String, INDArray> views = new LinkedHashMap<>();
        views.put(WEIGHT_QKV, slice(flat, 0, wqkvEnd).reshape('c', c, 3 * c));
        views.put(BIAS_QKV, slice(flat, wqkvEnd, bqkvEnd));
        views.put(WEIGHT_OUT, slice(flat, bqkvEnd, woEnd).reshape('c', c, c));
        views.put(BIAS_OUT, slice(flat, woEnd, boEnd));
        return views;
    }

    /** A [1, to - from] view of the flattened [1, n] row vector, as DL4J's own initializers make them. */
    private static INDArray slice(INDArray flat, long from, long to) {
        return flat.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(from, to));
    }
}
