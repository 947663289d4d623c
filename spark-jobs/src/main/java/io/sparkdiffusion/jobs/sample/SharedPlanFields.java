package io.sparkdiffusion.jobs.sample;

import io.sparkdiffusion.generate.GenerationOutput;
import io.sparkdiffusion.generate.Recipe;

import java.util.LinkedHashMap;
import java.util.Map;

/** The part of {@code plan.json} both generation jobs share: everything that decides the pixels of an image. */
public final class SharedPlanFields {
    private SharedPlanFields() {
    }

    /**
     * Batch size and unit size belong here: at real image sizes the native kernels round differently for other
     * batch shapes, so a rerun must batch exactly as the first run did to make the same bytes.
     */
    public static Map<String, Object> record(String job, GenerationSettings settings, CheckpointChoice checkpoint,
                                             Recipe recipe, GenerationOutput output) {
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("job", job);
        plan.put("checkpoint", checkpoint.dir().toString());
        plan.put("checkpointStep", checkpoint.info().step());
        plan.put("checkpointCreatedAt", checkpoint.info().createdAt());
        plan.put("weights", settings.weights());
        plan.put("imageShape", checkpoint.shape().toString());
        plan.put("sampler", recipe.sampler());
        plan.put("steps", recipe.sampler().equals("ddpm") ? checkpoint.info().schedule().timesteps() : recipe.steps());
        plan.put("eta", recipe.sampler().equals("ddim") ? recipe.eta() : 0.0);
        plan.put("guidance", checkpoint.spec().conditional() ? recipe.guidance() : 1.0);
        plan.put("seed", settings.seed());
        plan.put("batchSize", recipe.batchSize());
        plan.put("imagesPerUnit", settings.imagesPerUnit());
        plan.put("classFolders", output.layout().folders());
        return plan;
    }
}
