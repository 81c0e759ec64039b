#!/usr/bin/env bash
# Coverage-guided fuzzing campaign (Jazzer) of exitscope's parsers, one target after another:
#   bench/jazzer-campaign.sh [ROUNDS] [TARGET...]
# Each round fuzzes a target for its @FuzzTest maxDuration (60 s), starting from the corpus the
# rounds before it grew (.cifuzz-corpus/, not committed); default 10 rounds = 10 min per target.
# Targets: traceDat perfData text modelConfig failOn onThreshold.
# A crash is written by Jazzer into src/test/resources/io/exitscope/JazzerFuzzTestInputs/TARGET/
# (crash-<sha1>), where every later `mvn test` runs it: commit it with the fix, it is the
# regression test. The growing corpus is kept in .cifuzz-corpus/ (not committed).
# Coverage: run with JAVA_TOOL_OPTIONS=-javaagent:org.jacoco.agent-runtime.jar=destfile=F (JaCoCo).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
rounds=${1:-10}; shift || true
targets=("$@"); [ ${#targets[@]} -eq 0 ] && targets=(traceDat perfData text modelConfig failOn onThreshold)
mvn -q -o test-compile >/dev/null || mvn -q test-compile || exit 1
status=0
for t in "${targets[@]}"; do for r in $(seq "$rounds"); do
  echo "== $t: round $r of $rounds"
  # JAZZER_FUZZ=1 fuzzes instead of replaying; maxDuration in the annotation is overridden here
  # jazzer.hooks=true: junit-platform.properties turns them off for the plain test run, and
  # without them this Jazzer does not instrument for coverage either
  JAZZER_FUZZ=1 mvn -q -o surefire:test -Dtest="JazzerFuzzTest#$t" \
      -Djazzer.hooks=true -DfailIfNoTests=false 2>&1 | grep -E "^#[0-9]+ *(DONE|pulse|NEW)|cov:|crash|Exception|FAIL|Tests run" | tail -5
  [ "${PIPESTATUS[0]}" -eq 0 ] || { status=1; break; }
done; done
exit $status
