#!/usr/bin/python3
"""Small number helpers for bench/all.sh (standard library only).

  summarize.py rounds METRICS_JSONL WARMUP_ROUNDS [CPU_TRACE]
      TrainJob's metrics.jsonl: one line per averaging round after the first WARMUP_ROUNDS, "rate IMAGES_PER_S";
      then "steady IMAGES_PER_S" = all images of those rounds / their wall time (a round's images are its
      images_per_s x the wall time since the previous row, which is exactly how ProgressMeter measured them).
      With CPU_TRACE (lines "ROUNDS_LOGGED CPU_SECONDS" sampled from the job's process while it ran) also
      "per_cpu IMAGES_PER_2_CPU_S": those images per 2 CPU-seconds the process used meanwhile, the same
      normalisation as ThroughputBenchmark's and the reference's "img/s per 2 CPU-s".
  summarize.py median [FILE]       median of the numbers, one per line (stdin without FILE); "n/a" if none or no FILE
  summarize.py ratio A B           A / B to 2 decimals, "n/a" if either is not a number or B is 0
  summarize.py gflops RATE FLOPS   RATE images/s x FLOPS per image in GFLOP/s, 1 decimal
"""
import json
import os
import statistics
import sys


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def cpu_seconds(trace, first_round, last_round):
    """CPU seconds from the first sample showing first_round rounds logged to the first showing last_round."""
    samples = [tuple(float(v) for v in line.split()) for line in open(trace) if len(line.split()) == 2]
    start = next((cpu for done, cpu in samples if done >= first_round), None)
    end = next((cpu for done, cpu in samples if done >= last_round), None)
    return end - start if start is not None and end is not None and end > start else None


def rounds(path, warmup, trace=None):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    if len(rows) <= warmup:
        sys.exit(f"summarize.py: {path} has {len(rows)} rounds, need more than the {warmup} of warm-up")
    images = seconds = 0.0
    previous_wall = rows[warmup - 1]["wall_s"] if warmup > 0 else 0.0  # the meter's clock starts at 0
    for row in rows[warmup:]:
        dt = row["wall_s"] - previous_wall
        previous_wall = row["wall_s"]
        print(f"rate {row['images_per_s']:.2f}")
        images += row["images_per_s"] * dt
        seconds += dt
    print(f"steady {images / seconds:.2f}")
    cpu = cpu_seconds(trace, warmup, len(rows)) if trace else None
    if cpu:
        print(f"per_cpu {images / (cpu / 2):.2f}")


def median(lines):
    values = [v for v in (number(line.strip()) for line in lines) if v is not None]
    print(f"{statistics.median(values):.2f}" if values else "n/a")


def main(argv):
    command = argv[1] if len(argv) > 1 else ""
    if command == "rounds" and len(argv) in (4, 5):
        rounds(argv[2], int(argv[3]), argv[4] if len(argv) == 5 else None)
    elif command == "median" and len(argv) <= 3:
        if len(argv) == 3 and not os.path.exists(argv[2]):
            print("n/a")  # the runs that would have written it failed
        else:
            median(open(argv[2]) if len(argv) == 3 else sys.stdin)
    elif command == "ratio" and len(argv) == 4:
        a, b = number(argv[2]), number(argv[3])
        print(f"{a / b:.2f}" if a is not None and b else "n/a")
    elif command == "gflops" and len(argv) == 4:
        rate, flops = number(argv[2]), number(argv[3])
        print(f"{rate * flops / 1e9:.1f}" if rate is not None and flops is not None else "n/a")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
