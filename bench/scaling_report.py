#!/usr/bin/env python3
"""Summarises bench/scaling.sh's runs: a markdown table and a plot of validation loss against images processed.

Each run directory holds train/metrics.jsonl (TrainJob's rows: step, images_per_s, val_loss, round_s, ...),
train/done (the run's wall seconds) and evaluation/metrics.json (EvaluateJob). The reference is the first run
named (W = 1): every other run's validation loss is compared with the reference's at the same number of images.
"""
import argparse
import json
import os
import re

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DEFAULT_BATCH = 64  # bench/scaling.sh's batch per worker; a row's images = step x batch x W


def batch_per_worker(name):
    """The batch per worker of a run: 64, or what a batch-size extra key in its name says (w8-...-batch-size_16)."""
    match = re.search(r"batch-size_(\d+)", name)
    return int(match.group(1)) if match else DEFAULT_BATCH


def load(run_dir, name):
    rows = []
    with open(os.path.join(run_dir, "train", "metrics.jsonl")) as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
    workers = int(name.split("-")[0][1:])
    curve = [(r["step"] * batch_per_worker(name) * workers, r["val_loss"]) for r in rows if "val_loss" in r]
    rounds = [r for r in rows if "round_s" in r]
    val_s = sum(r.get("val_s", 0.0) for r in rows)
    train_s = sum(r["round_s"] for r in rounds)
    evaluation = {}
    path = os.path.join(run_dir, "evaluation", "metrics.json")
    if os.path.exists(path):
        with open(path) as f:
            evaluation = json.load(f)
    wall = None
    done = os.path.join(run_dir, "train", "done")
    if os.path.exists(done):
        with open(done) as f:
            wall = int(f.read().strip() or 0)
    return {
        "name": name, "workers": workers, "curve": curve, "rounds": len(rounds),
        "bytes": rounds[-1].get("bytes_per_worker") if rounds else None,
        "train_s": train_s, "val_s": val_s, "wall": wall,
        "fd": evaluation.get("frechetDistance"), "floor": (evaluation.get("sameSize") or {}).get("realVsReal"),
        "consistency": evaluation.get("classConsistency"),
    }


def loss_at(curve, images):
    """The validation loss at `images` images, linearly interpolated between logged points."""
    for (x0, y0), (x1, y1) in zip(curve, curve[1:]):
        if x0 <= images <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (images - x0) / (x1 - x0)
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--plot", required=True)
    parser.add_argument("--header", default="")
    parser.add_argument("runs", nargs="+")
    args = parser.parse_args()
    runs = [load(os.path.join(args.work, "runs", n), n) for n in args.runs]
    ref = runs[0]
    end = min(r["curve"][-1][0] for r in runs if r["curve"])

    print(f"Scaling benchmark ({args.header})\n")
    print(f"Reference: {ref['name']}. Validation loss compared at {end:,} images processed (the shortest run's end).\n")
    print("| run | rounds | val loss at end | vs reference | FD (floor) | vs reference | class consistency "
          "| MB per worker per round | validation share of training (every ~5,000 images) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    ref_loss = loss_at(ref["curve"], end)
    for r in runs:
        loss = loss_at(r["curve"], end)
        fd = r["fd"]
        rel_loss = f"{(loss / ref_loss - 1) * 100:+.1f} %" if loss and ref_loss else "n/a"
        rel_fd = f"{(fd / ref['fd'] - 1) * 100:+.1f} %" if fd and ref["fd"] else "n/a"
        fd_text = f"{fd:.1f} ({r['floor']:.1f})" if fd is not None and r["floor"] is not None else "n/a"
        cons = f"{r['consistency'] * 100:.1f} %" if r["consistency"] is not None else "n/a"
        mb = f"{r['bytes'] / 1e6:.1f}" if r["bytes"] else "n/a"
        share = f"{r['val_s'] / r['train_s'] * 100:.1f} %" if r["train_s"] else "n/a"
        print(f"| {r['name']} | {r['rounds']} | {loss:.5f} | {rel_loss} | {fd_text} | {rel_fd} | {cons} | {mb} | {share} |"
              if loss is not None else f"| {r['name']} | {r['rounds']} | n/a | | {fd_text} | {rel_fd} | {cons} | {mb} | {share} |")

    # left: per image processed (what the targets compare); right: per image of one worker, which is wall time
    # when every worker trains as fast as one alone (what a user sizing a cluster waits for)
    fig, (per_image, per_worker) = plt.subplots(1, 2, figsize=(13, 5.5), sharey=True)
    for r in runs:
        xs = [x for x, _ in r["curve"]]
        ys = [y for _, y in r["curve"]]
        style = "-" if "average" in r["name"] else "--"
        width = 2.2 if r is ref else 1.2
        per_image.plot(xs, ys, style, marker=".", label=r["name"], linewidth=width)
        later = [(x / r["workers"], y) for x, y in r["curve"] if x > 0]  # the log axis has no place for the start
        per_worker.plot([x for x, _ in later], [y for _, y in later], style, marker=".", label=r["name"],
                        linewidth=width)
    per_image.set_xlabel("images processed (all workers)")
    per_worker.set_xlabel("images processed per worker (wall time at equal per-worker speed)")
    per_worker.set_xscale("log")
    per_image.set_ylabel("validation loss (ε-MSE, 1,000 held-out images, fixed noise)")
    for ax in (per_image, per_worker):
        ax.set_yscale("log")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
    fig.suptitle("TrainJob: validation loss as workers are added\n" + args.header, fontsize=8)
    fig.tight_layout()
    fig.savefig(args.plot, dpi=110)


if __name__ == "__main__":
    main()
