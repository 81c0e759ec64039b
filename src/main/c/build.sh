#!/usr/bin/env bash
# Builds the native helpers into $1 when a C compiler is present. Absence is not an error:
# the Java tool refuses `calibrate` with a clear sentence instead.
set -u
out=${1:?output dir}
mkdir -p "$out"
cc=$(command -v gcc || command -v cc || true)
if [ -z "$cc" ]; then
  echo "exitscope: no C compiler found; kvm-exerciser not built (calibrate unavailable)" >&2
  exit 0
fi
here=$(cd "$(dirname "$0")" && pwd)
for src in "$here"/*.c; do
  [ -e "$src" ] || continue
  name=$(basename "$src" .c)
  if [ ! -x "$out/$name" ] || [ "$src" -nt "$out/$name" ]; then
    "$cc" -O2 -Wall -Wextra -std=gnu11 -o "$out/$name" "$src" || exit 1
  fi
done
