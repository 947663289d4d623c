package io.sparkdiffusion.model.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/** The wiring every layer configuration's {@code instantiate} does, written once for our native layers. */
final class NativeLayers {
    private NativeLayers() {
    }

    /** Attaches listeners, index, the parameter view and the initialized parameter table to a new layer. */
    static <L extends BaseLayer<?>> L bind(L layer, NeuralNetConfiguration conf, ParamInitializer initializer,
                                           Collection<TrainingListener> listeners, int index, INDArray paramsView,
                                           boolean initializeParams) {
        layer.setListeners(listeners);
        layer.setIndex(index);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(initializer.init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }
}
