#!/usr/bin/env python3
"""Summarizes a JFR recording of ThroughputBenchmark (bench/profile.sh): shares of CPU samples per layer type and
direction, per op call site, and outside the layers.

Java samples (jdk.ExecutionSample, every 10 ms in JFR's 'profile' settings) and native-method samples
(jdk.NativeMethodSample, every 20 ms: the thread is inside a native op) are weighted by their period. Only the
threads that train or sample count (main, replica-*, and the spark-diffusion-sample-ranges threads that run half of a
batch's GroupNorm kernels when ND4J has 2 threads); JIT, GC and Spark threads do not.
"""
import collections
import json
import subprocess
import sys

PERIOD_MS = {"jdk.ExecutionSample": 10, "jdk.NativeMethodSample": 20}
LAYER_PACKAGES = ("org.deeplearning4j.nn.layers.", "org.deeplearning4j.nn.graph.vertex.impl.",
                  "io.sparkdiffusion.model.layers.")
# classes of the layers package that are not layers: their time belongs to the layer that called them
LAYER_HELPERS = tuple("io.sparkdiffusion.model.layers." + name for name in
                      ("GroupNormKernel", "GroupNormNhwcKernel", "NativeFloats", "FloatSums", "FastSigmoid",
                       "SampleRanges"))
OUTSIDE = [("org.deeplearning4j.nn.updater.", "optimizer (Adam updater)"),
           ("io.sparkdiffusion.train.Ema", "EMA update"),
           ("io.sparkdiffusion.diffusion.", "batch making (noise, timesteps)"),
           ("org.nd4j.linalg.lossfunctions.", "loss"),
           ("io.sparkdiffusion.train.ReplicatedGradientStep", "replica gradient sum and slicing"),
           ("io.sparkdiffusion.data.", "reading images")]


def frames(event):
    stack = (event.get("values", {}).get("stackTrace") or {}).get("frames") or []
    for f in stack:  # innermost first
        m = f.get("method", {})
        yield m.get("type", {}).get("name", "?").replace("/", "."), m.get("name", "?"), f.get("lineNumber", -1)


def direction(method):
    m = method.lower()
    if "backprop" in m or "dobackward" in m or "backward" in m:
        return "backward"
    return "forward"


def classify(event):
    layer = None
    call_site = None
    outside = None
    for cls, method, line in frames(event):
        simple = cls.rsplit(".", 1)[-1]
        if call_site is None and not cls.startswith(("org.nd4j.", "org.bytedeco.", "java.", "jdk.", "sun.")):
            call_site = f"{simple}.{method}:{line}"
        if layer is None and cls.startswith(LAYER_PACKAGES) and ".mkldnn." not in cls \
                and not cls.startswith(LAYER_HELPERS):  # the layer, not its helper
            layer = f"{simple} {direction(method)}"
        if outside is None:
            for prefix, label in OUTSIDE:
                if cls.startswith(prefix):
                    outside = label
        if layer and call_site:
            break
    if not (layer or outside):
        # name what it was by the outermost frame of this project or DL4J (start-up, data loading, ...)
        named = [f"{c.rsplit('.', 1)[-1]}.{m}" for c, m, _ in frames(event) if c.startswith(("io.sparkdiffusion.", "org.deeplearning4j."))]
        outside = "other: " + (named[-1] if named else "JVM / native only")
    return layer or outside, call_site or "native / JDK only"


def main(path):
    raw = subprocess.run(["jfr", "print", "--json", "--stack-depth", "256", "--events", "jdk.ExecutionSample,jdk.NativeMethodSample", path],
                         check=True, capture_output=True, text=True).stdout
    events = json.loads(raw)["recording"]["events"]
    by_layer = collections.Counter()
    by_site = collections.Counter()
    total = 0.0
    for e in events:
        thread = ((e.get("values", {}).get("sampledThread") or {}).get("javaName") or "")
        if not (thread == "main" or thread.startswith(("replica-", "spark-diffusion-sample-ranges"))):
            continue
        weight = PERIOD_MS.get(e.get("type"), 10)
        layer, site = classify(e)
        by_layer[layer] += weight
        by_site[site] += weight
        total += weight
    if total == 0:
        print("no samples of the training threads in", path)
        return 1
    print(f"{path}: {total / 1000:.1f} thread-seconds of samples (main and replica threads)\n")
    print("| layer type, direction (or outside the layers) | share |")
    print("| --- | --- |")
    for key, w in by_layer.most_common():
        if w / total >= 0.005:
            print(f"| {key} | {100 * w / total:.1f} % |")
    print("\n| op call site (innermost DL4J / spark-diffusion frame) | share |")
    print("| --- | --- |")
    for key, w in by_site.most_common(25):
        print(f"| {key} | {100 * w / total:.1f} % |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
