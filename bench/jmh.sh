#!/usr/bin/env bash
# JMH run of the decode path: bench/jmh.sh FILE [jmh options]
# Prints ms per whole-file decode (SingleShotTime over warm iterations) and, from the file's
# event count, the events/s that implies.
set -euo pipefail
cd "$(dirname "$0")/.."
file=$(readlink -f "${1:?usage: bench/jmh.sh FILE [jmh args]}")
shift
mvn -q -o test-compile 2>/dev/null || mvn -q test-compile
cp=$(f=$(mktemp); mvn -q dependency:build-classpath -Dmdep.outputFile="$f" >/dev/null; cat "$f"; rm -f "$f")
java -Xmx256m -cp "target/test-classes:target/classes:$cp" org.openjdk.jmh.Main DecodeBenchmark \
  -p file="$file" -wi 3 -i 5 -f 1 -bm ss -tu ms "$@"
events=$(java -Xmx256m -jar target/exitscope.jar dump --count "$file" | awk '$1=="total"{print $2}')
echo "events in file: $events (events/s = events / (ms per op / 1000))"
