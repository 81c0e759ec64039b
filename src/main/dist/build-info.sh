#!/usr/bin/env bash
# Writes the version and the git commit of this build where BuildInfo reads them:
#   build-info.sh BASEDIR VERSION OUTPUT_FILE
# Outside a git checkout (a source archive) the commit is "unknown".
set -u
base=${1:?basedir} version=${2:?version} out=${3:?output file}
commit=unknown
if command -v git >/dev/null 2>&1 && c=$(git -C "$base" rev-parse --short=12 HEAD 2>/dev/null); then
  commit=$c
  # tracked files that differ from the commit (untracked ones do not go into the jar)
  git -C "$base" diff --quiet HEAD -- 2>/dev/null || commit="$commit-dirty"
fi
mkdir -p "$(dirname "$out")"
printf 'version=%s\ncommit=%s\n' "$version" "$commit" > "$out.tmp" && mv "$out.tmp" "$out"
