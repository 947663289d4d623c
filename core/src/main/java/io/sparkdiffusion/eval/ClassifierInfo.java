package io.sparkdiffusion.eval;

import java.io.IOException;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.sparkdiffusion.image.ImageShape;

/**
 * {@code classifier.json} beside a saved feature classifier's {@code model.zip}: what an evaluation must check
 * (image shape, class names) and how good the classifier is.
 *
 * @param formatVersion      {@link #FORMAT_VERSION}
 * @param shape              the input images' shape
 * @param classNames         class names by output index
 * @param featureLayer       name of the layer whose activations are the features
 * @param featureWidth       units of that layer
 * @param recipe             how it was trained
 * @param trainingData       the PrepareJob output it was trained on (as given), or null
 * @param trainingSplit      the split of it used for training
 * @param trainImages        images trained on
 * @param validationImages   images of the validation split (0 when there was none)
 * @param validationAccuracy top-1 accuracy on them, or null without a validation split
 * @param createdAt          ISO-8601 instant
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClassifierInfo(int formatVersion, ImageShape shape, List<String> classNames, String featureLayer,
                             int featureWidth, ClassifierRecipe recipe, String trainingData, String trainingSplit,
                             long trainImages, long validationImages, Double validationAccuracy, String createdAt)
        implements Serializable {

    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    public ClassifierInfo {
        classNames = List.copyOf(classNames);
    }

    static ClassifierInfo of(ImageShape shape, List<String> classNames, String featureLayer, ClassifierRecipe recipe,
                             long trainImages) {
        return new ClassifierInfo(FORMAT_VERSION, shape, classNames, featureLayer, recipe.featureWidth(), recipe, null,
                null, trainImages, 0, null, Instant.now().toString());
    }

    public ClassifierInfo withValidation(long images, Double accuracy) {
        return new ClassifierInfo(formatVersion, shape, classNames, featureLayer, featureWidth, recipe, trainingData,
                trainingSplit, trainImages, images, accuracy, createdAt);
    }

    public ClassifierInfo withTrainingData(String data, String split) {
        return new ClassifierInfo(formatVersion, shape, classNames, featureLayer, featureWidth, recipe, data, split,
                trainImages, validationImages, validationAccuracy, createdAt);
    }

    public byte[] toJson() throws IOException {
        return JSON.writeValueAsBytes(this);
    }

    public static ClassifierInfo fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, ClassifierInfo.class);
    }
}
