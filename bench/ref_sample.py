#!/usr/bin/python3
"""Samples N images from weights of the PyTorch reference (bench/reference/ddpm_ref.py --train-minutes) into the
unlabeled image tree EvaluateJob reads: OUT/images/NNNNNN.png (28x28 grey PNGs), then OUT/_SUCCESS last.
The reference itself only writes an 8x8 grid; this reuses its model, DDIM sampler and PNG writer unchanged.

  /usr/bin/python3 bench/ref_sample.py --weights ddpm_ref_weights.pt --count 10000 --out DIR
      [--ref bench/reference/ddpm_ref.py] [--steps 50] [--batch 256] [--seed 0]
"""
import argparse
import importlib.util
import os
import shutil
import sys
import time


def load_reference(path):
    spec = importlib.util.spec_from_file_location("ddpm_ref", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines the model and helpers; its main() only runs as a script
    return module


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ref", default=os.environ.get("DDPM_REF", os.path.join(here, "reference", "ddpm_ref.py")))
    ap.add_argument("--weights", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.count < 1 or args.batch < 1 or args.steps < 1:
        sys.exit("ref_sample.py: --count, --batch and --steps must be positive")
    if os.path.exists(args.out):
        sys.exit(f"ref_sample.py: {args.out} already exists")
    if not os.path.isfile(args.weights):
        sys.exit(f"ref_sample.py: weights {args.weights} not found (ddpm_ref.py --train-minutes M writes them)")

    ref = load_reference(args.ref)
    import torch

    model = ref.UNet()
    model.load_state_dict(torch.load(args.weights))
    model.eval()
    tmp = args.out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "images"))
    t0 = time.perf_counter()
    written = 0
    for start in range(0, args.count, args.batch):
        n = min(args.batch, args.count - start)
        # one seed per batch, so a rerun gives the same images; ddim_sample's own batch loop gets the whole batch
        x = ref.ddim_sample(model, n, steps=args.steps, seed=args.seed * 1_000_003 + start, batch=n)
        pixels = ((x.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).numpy()[:, 0]
        for k in range(n):
            ref.write_png_gray(os.path.join(tmp, "images", f"{start + k:06d}.png"), pixels[k])
        written += n
        print(f"  {written}/{args.count} images, {written / (time.perf_counter() - t0):.2f} images/s", flush=True)
    os.rename(tmp, args.out)
    open(os.path.join(args.out, "_SUCCESS"), "w").close()
    print(f"sampled {written} images (DDIM-{args.steps}) into {args.out}/images in {time.perf_counter() - t0:.0f}s")


if __name__ == "__main__":
    main()
