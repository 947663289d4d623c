package io.sparkdiffusion.jobs.sample;

import io.sparkdiffusion.generate.PlannedImage;

import java.io.Serializable;
import java.util.List;

/** One unit of a generation run as a Spark task gets it: its number and its images, in order. */
public record PlannedUnit(int unit, List<PlannedImage> images) implements Serializable {
}
