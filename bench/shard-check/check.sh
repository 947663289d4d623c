#!/usr/bin/env bash
# Checks an output's Parquet shards from outside the JVM: DuckDB (npm @duckdb/node-api) reads the schema, the
# footer's Hugging Face features and the rows (check.mjs), and PIL (python3-pil) decodes the first images.
#   bench/shard-check/check.sh OUTPUT_DIR
# Installs the npm package into bench/shard-check/node_modules on first use (git-ignored).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
output="$(realpath "${1:?usage: check.sh OUTPUT_DIR}")"
[ -d "$here/node_modules/@duckdb/node-api" ] || (cd "$here" && npm install --no-audit --no-fund --silent)
pngs="$(mktemp -d)"
trap 'rm -rf "$pngs"' EXIT
node "$here/check.mjs" "$output" "$pngs"
/usr/bin/python3 - "$pngs" <<'PY'
import os, sys
from PIL import Image
folder = sys.argv[1]
sizes = set()
for name in sorted(os.listdir(folder)):
    with Image.open(os.path.join(folder, name)) as image:
        image.load()
        sizes.add((image.size, image.mode))
print(f"PIL decoded {len(os.listdir(folder))} images: {sorted(sizes)}")
PY
