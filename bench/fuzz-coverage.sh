#!/usr/bin/env bash
# The code coverage the two fuzzers reach on the trace.dat reader in the same time:
#   bench/fuzz-coverage.sh [SECONDS]      (default 60: JazzerFuzzTest's maxDuration; the mutation
#                                          fuzzer is given the same)
# JaCoCo (org.jacoco.agent runtime + org.jacoco.cli nodeps 0.8.12 from the local Maven repository:
# mvn dependency:get -Dartifact=org.jacoco:org.jacoco.agent:0.8.12:jar:runtime, and
# org.jacoco:org.jacoco.cli:0.8.12:jar:nodeps) counts lines and branches of source/tracedat,
# source/ringbuffer and event. Run it with nothing else building: the report needs the class files
# that ran. Figures: bench/README.md.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
secs=${1:-60}
A=$HOME/.m2/repository/org/jacoco/org.jacoco.agent/0.8.12/org.jacoco.agent-0.8.12-runtime.jar
C=$HOME/.m2/repository/org/jacoco/org.jacoco.cli/0.8.12/org.jacoco.cli-0.8.12-nodeps.jar
[ -f "$A" ] && [ -f "$C" ] || { echo "needs JaCoCo's agent and cli jars (see the top of this script)"; exit 2; }
w=$(mktemp -d /tmp/exitscope-fuzzcov.XXXXXX)
mvn -q -o test-compile || exit 1
JAVA_TOOL_OPTIONS="-javaagent:$A=destfile=$w/mut.exec,includes=io.exitscope.*" mvn -q -o surefire:test \
  -Dtest='ReaderFuzzTest#traceDat' -Dexitscope.fuzz.inputs=0 -Dexitscope.fuzz.seconds="$secs" > "$w/mut.log" 2>&1
JAVA_TOOL_OPTIONS="-javaagent:$A=destfile=$w/jaz.exec,includes=io.exitscope.*" JAZZER_FUZZ=1 mvn -q -o surefire:test \
  -Dtest='JazzerFuzzTest#traceDat' -Djazzer.hooks=true > "$w/jaz.log" 2>&1
for x in mut jaz; do
  java -jar "$C" report "$w/$x.exec" --classfiles target/classes/io/exitscope/source/tracedat \
    --classfiles target/classes/io/exitscope/source/ringbuffer --classfiles target/classes/io/exitscope/event --csv "$w/$x.csv" >/dev/null
  awk -F, -v n=$x 'NR>1{lm+=$8; lc+=$9; bm+=$6; bc+=$7} END{printf "%s lines %d/%d (%.1f%%) branches %d/%d (%.1f%%)\n", n, lc, lc+lm, 100*lc/(lc+lm), bc, bc+bm, 100*bc/(bc+bm)}' "$w/$x.csv"
done
grep -h "inputs in" "$w/mut.log"; grep -h "DONE" "$w/jaz.log" | tail -1
echo "logs in $w"
