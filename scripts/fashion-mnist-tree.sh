#!/usr/bin/env bash
# Exports the full Fashion-MNIST (Debian's dataset-fashion-mnist: 60,000 train + 10,000 test images) to one
# PNG folder-per-class tree, OUT/<class>/<NNNNN>.png (test images as t10k-<NNNNN>.png): a large real corpus
# for PrepareJob, its memory check and bench/prepare.sh.
#   scripts/fashion-mnist-tree.sh OUT_DIR [PER_CLASS_LIMIT]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ]; then
  sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
out="$(realpath -m "$1")"
limit="${2:-}"
src=/usr/share/datasets/fashion-mnist
if [ ! -f "$src/train-images-idx3-ubyte.gz" ]; then
  echo "fashion-mnist-tree.sh: $src not found (apt-get install -y dataset-fashion-mnist)" >&2
  exit 2
fi
if [ -e "$out" ]; then
  echo "fashion-mnist-tree.sh: $out already exists" >&2
  exit 2
fi
. scripts/core-classpath.sh
export() { # images labels dir
  java -cp "$CORE_CLASSPATH" io.sparkdiffusion.cli.IdxToPngTree "$src/$1" "$src/$2" "$3" $limit
}
export train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz "$out"
test_dir="$(mktemp -d)"
trap 'rm -rf "$test_dir"' EXIT
rm -rf "$test_dir" # IdxToPngTree makes it
export t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz "$test_dir"
for class_dir in "$test_dir"/*/; do
  class="$(basename "$class_dir")"
  (cd "$class_dir" && for f in *.png; do mv "$f" "$out/$class/t10k-$f"; done)
done
echo "$(find "$out" -name '*.png' | wc -l) PNG files under $out"
