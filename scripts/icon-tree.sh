#!/usr/bin/env bash
# Turns an installed freedesktop icon theme (Debian's tango-icon-theme by default: public domain, colour PNGs in
# category folders at 16, 22, 24 and 32 px) into a folder-per-class tree for PrepareJob: OUT/<category>/<icon>.png.
#   scripts/icon-tree.sh OUT_DIR [--theme DIR] [--max-size N] [--min-per-class N] [--max-per-class N]
#   --theme          the theme's directory (default /usr/share/icons/Tango; installs tango-icon-theme when missing)
#   --max-size       each icon is taken once, from the largest NxN folder with N <= this (default 64)
#   --min-per-class  leave out categories with fewer icons than this (default 1)
#   --max-per-class  at most this many icons per category: the first in name order (default 0 = all)
# Symbolic links are aliases of other icons (apps/access.png -> preferences-desktop-accessibility.png) and are
# skipped, so no picture appears twice. The choice depends on the file names only: the same theme gives the same tree.
set -euo pipefail
usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage
out="$1"; shift
theme=/usr/share/icons/Tango
max_size=64
min_per_class=1
max_per_class=0
while [ $# -gt 0 ]; do
  case "$1" in
    --theme) theme="$2"; shift 2 ;;
    --max-size) max_size="$2"; shift 2 ;;
    --min-per-class) min_per_class="$2"; shift 2 ;;
    --max-per-class) max_per_class="$2"; shift 2 ;;
    *) usage ;;
  esac
done
if [ ! -d "$theme" ] && [ "$theme" = /usr/share/icons/Tango ]; then
  echo "installing tango-icon-theme ..." >&2
  apt-get update -q && apt-get install -y -q tango-icon-theme
fi
[ -d "$theme" ] || { echo "icon-tree.sh: no theme at $theme" >&2; exit 2; }
if [ -e "$out" ]; then
  echo "icon-tree.sh: $out already exists" >&2
  exit 2
fi

# the NxN folders with N <= max-size, largest first
sizes=$(cd "$theme" && ls -d [0-9]*x[0-9]* 2>/dev/null | sed 's/x.*//' | sort -un | awk -v m="$max_size" '$1 <= m' | sort -rn)
[ -n "$sizes" ] || { echo "icon-tree.sh: no NxN folder with N <= $max_size in $theme" >&2; exit 2; }

# category<TAB>icon<TAB>file of the largest size, one row per distinct (category, icon)
list=$(for n in $sizes; do
  dir="$theme/${n}x${n}"
  (cd "$dir" && find . -mindepth 2 -maxdepth 2 -type f -name '*.png' | sed 's|^\./||' | LC_ALL=C sort) |
    while IFS=/ read -r category icon; do printf '%s\t%s\t%s\t%s\n' "$category" "$icon" "$n" "$dir/$category/$icon"; done
done | LC_ALL=C sort -t$'\t' -k1,1 -k2,2 -k3,3nr | awk -F'\t' '!seen[$1 FS $2]++')

mkdir -p "$out"
copied=0
for category in $(printf '%s\n' "$list" | cut -f1 | LC_ALL=C sort -u); do
  rows=$(printf '%s\n' "$list" | awk -F'\t' -v c="$category" '$1 == c')
  count=$(printf '%s\n' "$rows" | wc -l)
  [ "$count" -ge "$min_per_class" ] || continue
  [ "$max_per_class" -eq 0 ] || rows=$(printf '%s\n' "$rows" | head -n "$max_per_class")
  mkdir -p "$out/$category"
  while IFS=$'\t' read -r _ icon _ file; do
    cp "$file" "$out/$category/$icon"
    copied=$((copied + 1))
  done <<< "$rows"
done
echo "$copied PNG files in $(ls "$out" | wc -l) classes under $out (from $theme, largest size <= $max_size)"
