#!/usr/bin/env bash
# A realistic PrepareJob corpus: COUNT (default 4000) JPEG photos of 64-512 px per side, cut at random from the
# desktop wallpapers of Debian's ukui-wallpapers package (installed with apt when missing), one class folder per
# wallpaper (io.sparkdiffusion.bench.PhotoCrops; deterministic). Nothing of it belongs in the repository.
#   bench/photo-corpus.sh OUT_DIR [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
out="$1"
count="${2:-4000}"
if ! dpkg -s ukui-wallpapers >/dev/null 2>&1; then
  echo "installing Debian's ukui-wallpapers ..." >&2
  apt-get install -y -q ukui-wallpapers >&2
fi
sources="$(mktemp -d)"
trap 'rm -rf "$sources"' EXIT
dpkg -L ukui-wallpapers | grep -E '\.(jpg|png)$' | while read -r f; do ln -s "$f" "$sources/"; done
. bench/classpath.sh
rm -rf "$out"
java -cp "$BENCH_CLASSPATH" io.sparkdiffusion.bench.PhotoCrops "$sources" "$out" "$count"
