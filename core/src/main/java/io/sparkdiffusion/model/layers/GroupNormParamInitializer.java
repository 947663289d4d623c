package io.sparkdiffusion.model.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters of a {@link GroupNormalization} layer with C channels: {@code gamma} (C values, initially 1) followed by
 * {@code beta} (C values, initially 0) in the layer's flattened parameter view; both are [1, C] views into it, and the
 * gradient views are laid out the same way. Neither is a "weight" or a "bias" to DL4J, so no weight decay applies.
 */
public final class GroupNormParamInitializer implements ParamInitializer {

    public static final String GAMMA = "gamma";
    public static final String BETA = "beta";

    private static final GroupNormParamInitializer INSTANCE = new GroupNormParamInitializer();
    private static final List<String> KEYS = List.of(GAMMA, BETA);

    private GroupNormParamInitializer() {
    }

    public static GroupNormParamInitializer getInstance() {
        return INSTANCE;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        return 2 * ((GroupNormalization) layer).getNOut();
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return KEYS;
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return Collections.emptyList();
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return Collections.emptyList();
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return false;
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return false;
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        long channels = ((GroupNormalization) conf.getLayer()).getNOut();
        checkLength(paramsView, channels, "parameter");
        Map<String, INDArray> params = Collections.synchronizedMap(new LinkedHashMap<>());
        INDArray gamma = slice(paramsView, 0, channels);
        INDArray beta = slice(paramsView, channels, 2 * channels);
        if (initializeParams) {
            gamma.assign(1.0);
            beta.assign(0.0);
        }
        params.put(GAMMA, gamma);
        conf.addVariable(GAMMA);
        params.put(BETA, beta);
        conf.addVariable(BETA);
        return params;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        long channels = ((GroupNormalization) conf.getLayer()).getNOut();
        checkLength(gradientView, channels, "gradient");
        Map<String, INDArray> gradients = new LinkedHashMap<>();
        gradients.put(GAMMA, slice(gradientView, 0, channels));
        gradients.put(BETA, slice(gradientView, channels, 2 * channels));
        return gradients;
    }

    /** A [1, to - from] view of the flattened [1, n] row vector, as DL4J's own initializers make them. */
    private static INDArray slice(INDArray flat, long from, long to) {
        return flat.get(NDArrayIndex.interval(0, 0, true), NDArrayIndex.interval(from, to));
    }

    private static void checkLength(INDArray view, long channels, String what) {
        if (view.length() != 2 * channels) {
            throw new IllegalStateException("GroupNormalization with " + channels + " channels expects a " + what
                    + " view of length " + 2 * channels + ", got " + view.length());
        }
    }
}
