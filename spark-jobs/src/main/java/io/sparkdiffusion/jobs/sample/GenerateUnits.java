package io.sparkdiffusion.jobs.sample;

import io.sparkdiffusion.generate.DenoiserPool;
import io.sparkdiffusion.generate.GeneratedImages;
import io.sparkdiffusion.generate.ImageGenerator;
import io.sparkdiffusion.generate.ModelBytes;
import io.sparkdiffusion.generate.OutputFormat;
import io.sparkdiffusion.generate.OutputLayout;
import io.sparkdiffusion.generate.Recipe;
import io.sparkdiffusion.generate.UnitWriter;
import io.sparkdiffusion.model.NetworkDenoiser;
import io.sparkdiffusion.runtime.NativeRuntime;
import io.sparkdiffusion.schedule.NoiseSchedule;
import org.apache.spark.api.java.function.VoidFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.SerializableConfiguration;

import java.util.Iterator;

/**
 * What an executor does with its units: borrow the model (rebuilt once per JVM from the broadcast bytes),
 * generate each unit's images in batches, and commit them with the unit's marker.
 */
final class GenerateUnits implements VoidFunction<Iterator<PlannedUnit>> {
    private final Broadcast<ModelBytes> model;
    private final Broadcast<SerializableConfiguration> hadoop;
    private final Recipe recipe;
    private final OutputLayout layout;
    private final OutputFormat format;
    private final GeneratedImages records;

    GenerateUnits(Broadcast<ModelBytes> model, Broadcast<SerializableConfiguration> hadoop, Recipe recipe,
                  OutputLayout layout, OutputFormat format, GeneratedImages records) {
        this.model = model;
        this.hadoop = hadoop;
        this.recipe = recipe;
        this.layout = layout;
        this.format = format;
        this.records = records;
    }

    @Override
    public void call(Iterator<PlannedUnit> units) throws Exception {
        if (!units.hasNext()) {
            return;
        }
        ModelBytes bytes = model.value();
        UnitWriter writer = new UnitWriter(layout, format, records, hadoop.value().value());
        NetworkDenoiser denoiser = DenoiserPool.borrow(bytes); // loads ND4J in a new executor JVM
        NativeRuntime.useConfiguredOmpThreads(); // the same bits on any executor thread (see WorkerThreadsHook)
        try {
            ImageGenerator generator = new ImageGenerator(denoiser, bytes.spec(), NoiseSchedule.of(bytes.schedule()),
                    recipe);
            while (units.hasNext()) {
                PlannedUnit unit = units.next();
                writer.commit(unit.unit(), unit.images(), generator.pngs(unit.images()));
            }
        } finally {
            DenoiserPool.giveBack(bytes, denoiser);
        }
    }
}
