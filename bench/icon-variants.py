#!/usr/bin/python3
"""Writes a larger colour corpus for throughput runs: every icon of a folder-per-class tree in 24 variants
(the 8 flips and quarter turns x the 3 rotations of its R, G, B channels), as PNGs in the same classes.

  icon-variants.py SOURCE_TREE OUT_TREE

data/tango-icons-demo's 207 icons give ~5,000 images: enough that TrainJob with 2 workers x batch 64, averaging
every 10 steps, makes full averaging rounds (an epoch of 207 images is one round of 2 steps, one of them partial).
Throughput only: these are not a data set to learn from. Needs python3-pil.
"""
import os
import sys

from PIL import Image

TURNS = [None, Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_270]


def main():
    src, out = sys.argv[1], sys.argv[2]
    n = 0
    for cls in sorted(os.listdir(src)):
        folder = os.path.join(src, cls)
        if not os.path.isdir(folder):
            continue
        os.makedirs(os.path.join(out, cls), exist_ok=True)
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".png"):
                continue
            icon = Image.open(os.path.join(folder, name)).convert("RGBA")
            r, g, b, a = icon.split()
            for c, channels in enumerate([(r, g, b), (g, b, r), (b, r, g)]):
                base = Image.merge("RGBA", (*channels, a))
                for flip in (False, True):
                    flipped = base.transpose(Image.Transpose.FLIP_LEFT_RIGHT) if flip else base
                    for k, turn in enumerate(TURNS):
                        img = flipped.transpose(turn) if turn is not None else flipped
                        img.save(os.path.join(out, cls, f"{name[:-4]}-c{c}-f{int(flip)}-r{k}.png"))
                        n += 1
    print(f"wrote {n} images under {out}")


if __name__ == "__main__":
    main()
