package io.sparkdiffusion.model;

import io.sparkdiffusion.model.layers.BroadcastAddVertex;
import io.sparkdiffusion.model.layers.GroupNormalization;
import io.sparkdiffusion.model.layers.LinearConvolution;
import io.sparkdiffusion.model.layers.SpatialSelfAttention;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlopCountTest {

    @Test
    void tinyGraphMatchesTheCountByHand() {
        // x: 1x4x4, t: 3 features
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .convolutionMode(ConvolutionMode.Truncate).graphBuilder()
                .addInputs("x", "t")
                // 3x3, pad 1: 1 -> 2 channels at 4x4 = 32 outputs x 9 MACs = 288 MACs
                .addLayer("c1", conv(3, 1, 1, 2), "x")
                // 3x3, stride 2, pad 1: 2 -> 4 channels at 2x2 = 16 outputs x 18 MACs = 288 MACs
                .addLayer("c2", conv(3, 2, 2, 4), "c1")
                .addLayer("norm", GroupNormalization.of(2, 4), "c2")
                // 3 -> 4: 12 MACs
                .addLayer("d", new DenseLayer.Builder().nIn(3).nOut(4).activation(Activation.IDENTITY).build(), "t")
                .addVertex("plus", new BroadcastAddVertex(), "norm", "d")
                // P = 4 positions, C = 4: projections 4*P*C^2 = 256 MACs, scores and weighted sum 2*P^2*C = 128
                .addLayer("attend", SpatialSelfAttention.of(4, 2), "plus")
                // 1x1: 4 -> 1 channel at 2x2 = 4 outputs x 4 MACs = 16 MACs
                .addLayer("c3", conv(1, 1, 4, 1), "attend")
                .addLayer("out", new CnnLossLayer.Builder().activation(Activation.IDENTITY).build(), "c3")
                .setOutputs("out")
                .build();

        FlopCount count = FlopCount.of(conf, InputType.convolutional(4, 4, 1), InputType.feedForward(3));

        assertEquals(2 * (288 + 288 + 16), count.convolution());
        assertEquals(2 * 12, count.dense());
        assertEquals(2 * (256 + 128), count.attention());
        assertEquals(2 * (288 + 288 + 16 + 12 + 256 + 128), count.forward());
        assertEquals(3 * count.forward(), count.training());
    }

    @Test
    void defaultUNetMatchesThePyTorchReferencesOwnCount() {
        // bench/reference/ddpm_ref.py prints "forward MACs/image: conv=129,905,664 linear=73,728" for the same network
        FlopCount count = FlopCount.of(UNetSpec.reference());
        assertEquals(2L * 129_905_664, count.convolution());
        assertEquals(2L * 73_728, count.dense());
        assertEquals(0, count.attention());
    }

    @Test
    void classEmbeddingAndAttentionAddTheirProducts() {
        UNetSpec plain = UNetSpec.reference();
        // one-hot label of 10 classes + "no label" times the 128-wide embedding table
        assertEquals(2L * 11 * 128, FlopCount.of(plain.withClasses(10)).dense() - FlopCount.of(plain).dense());

        UNetSpec attention = new UNetSpec(1, 28, 32, java.util.List.of(1, 2, 2), 1, 8, 128, 0, true,
                UNetSpec.Prediction.EPSILON);
        // two attention blocks (down and up) at the lowest level: 7x7 = 49 positions, 64 channels
        long perBlock = 2L * (4 * 49 * 64 * 64 + 2 * 49 * 49 * 64);
        assertEquals(2 * perBlock, FlopCount.of(attention).attention());
        assertEquals(FlopCount.of(plain).convolution(), FlopCount.of(attention).convolution());
    }

    @Test
    void layerWithoutARuleIsRefusedNotCountedAsZero() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("x")
                .addLayer("up", new Deconvolution2D.Builder(2, 2).stride(2, 2).nIn(1).nOut(2).build(), "x")
                .addLayer("out", new CnnLossLayer.Builder().activation(Activation.IDENTITY).build(), "up")
                .setOutputs("out")
                .build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FlopCount.of(conf, InputType.convolutional(4, 4, 1)));
        assertTrue(e.getMessage().contains("up"), e.getMessage());
    }

    private static ConvolutionLayer conv(int kernel, int stride, int in, int out) {
        return new LinearConvolution.Builder(kernel, kernel).stride(stride, stride).padding(kernel / 2, kernel / 2)
                .nIn(in).nOut(out).activation(Activation.IDENTITY).build();
    }

    @Test
    void base64IsSmallEnoughForACpu() {
        FlopCount flops = FlopCount.of(UNetPreset.BASE64.spec(3, 64, 0));
        // the printed figures (FlopCount --presets): 1.47 GFLOP forward per 3x64x64 image, attention under 5 %
        assertEquals(1471.9e6, flops.forward(), 0.1e6);
        assertTrue(flops.attention() < flops.forward() / 20);
        assertEquals(2 * 2 * (4L * 256 * 64 * 64 + 2L * 256 * 256 * 64) + 2 * 2 * (4L * 64 * 64 * 64 + 2L * 64 * 64 * 64),
                flops.attention());
    }
}
