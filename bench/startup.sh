#!/usr/bin/env bash
# Start-up time, side by side: a bare JVM printing one line against `exitscope report` on the
# bundled trace, `--help` and `--version`; from the checkout's launcher and from the unpacked
# bundle, each with and without its start-up archive; on the JDK 17 on PATH (or JAVA17_HOME)
# and on a JDK 24+ (JAVA25_HOME, default: the first in /usr/lib/jvm) with its AOT cache.
#   bench/startup.sh [ROUNDS=5] [RUNS_PER_ROUND=5]
# Needs hyperfine (apt-get install hyperfine) and `mvn package` done. The rounds interleave the
# commands (each round runs every command RUNS_PER_ROUND times, in turn); the figures are the
# medians over all rounds of each command's wall time, and its mean user+sys CPU time, and the
# ratio of the median to the bare JVM's on the same runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5} runs=${2:-5}
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
ver=$(sed -n 's/^version=//p' target/classes/io/exitscope/util/build-info.properties 2>/dev/null || true)
tarball=$(ls target/exitscope-"$ver"-linux-*.tar.gz 2>/dev/null | head -1 || true)
[ -f target/exitscope.jar ] && [ -n "$tarball" ] || { echo "run mvn package first" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
j17=${JAVA17_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
j25=${JAVA25_HOME:-}
if [ -z "$j25" ]; then
  for h in /usr/lib/jvm/*; do
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$h/release" 2>/dev/null || true)
    [ -n "$v" ] && [ "$v" -ge 24 ] && [ ! -L "$h" ] && { j25=$h; break; }
  done
fi

# the bare JVM: one class printing one line, with the launcher's JVM options
mkdir -p "$tmp/hello"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' > "$tmp/hello/Hello.java"
"$j17/bin/javac" --release 17 -d "$tmp/hello" "$tmp/hello/Hello.java"
eval "$(grep -E '^(default|jdk24)_jvm_opts=' bin/exitscope)"

# the bundle, unpacked; and copies of the checkout and the bundle without their archives
tar -C "$tmp" -xzf "$tarball"
bundle=$tmp/exitscope-$ver
cp -a "$bundle" "$tmp/bundle-noarchive" && rm -f "$tmp/bundle-noarchive"/lib/*.jsa
mkdir -p "$tmp/checkout-noarchive/bin" "$tmp/checkout-noarchive/target"
cp bin/exitscope "$tmp/checkout-noarchive/bin/" && ln -s "$PWD/target/exitscope.jar" "$tmp/checkout-noarchive/target/"
trace=$PWD/traces/pvm-ioeventfd-ab.dat

names=() cmds=()
add() { names+=("$1"); cmds+=("$2"); }
for jdk in "$j17" ${j25:+"$j25"}; do
  f=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$jdk/release")
  extra=""; [ "$f" -ge 24 ] && extra=$jdk24_jvm_opts
  add "jdk$f bare JVM" "$jdk/bin/java $default_jvm_opts $extra -cp $tmp/hello Hello"
  for what in "report $trace" "--help" "--version"; do
    w=${what%% *}
    add "jdk$f checkout $w" "env JAVA_HOME=$jdk bin/exitscope $what"
    add "jdk$f checkout $w no-archive" "env JAVA_HOME=$jdk $tmp/checkout-noarchive/bin/exitscope $what"
    if [ "$jdk" = "$j17" ]; then
      add "jdk$f bundle $w" "$bundle/bin/exitscope $what"
      add "jdk$f bundle $w no-archive" "$tmp/bundle-noarchive/bin/exitscope $what"
    fi
  done
done

for ((r = 1; r <= rounds; r++)); do
  args=()
  for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
  hyperfine -N -w 1 -r "$runs" --export-csv "$tmp/round$r.csv" "${args[@]}" > /dev/null
done

# per command: median wall over all rounds' medians, mean user+sys; ratio to that JDK's bare JVM
cat "$tmp"/round*.csv | awk -F, '
  $1 == "command" { next }
  { n = $1; med[n] = med[n] " " $4; cpu[n] += $6 + $7; cnt[n]++; if (!(n in order)) { order[n] = ++k; list[k] = n } }
  function median(s,   a, m, i, j, t) {
    m = split(s, a, " ")
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
  }
  END {
    printf "%-40s %10s %10s %8s\n", "command", "median ms", "cpu ms", "x bare"
    for (i = 1; i <= k; i++) {
      n = list[i]; m = median(med[n]); split(n, p, " ")
      if (n ~ /bare JVM/) bare[p[1]] = m
      printf "%-40s %10.0f %10.0f %8.1f\n", n, m * 1000, cpu[n] / cnt[n] * 1000, m / bare[p[1]]
    }
  }'
