#!/usr/bin/env bash
# Coverage-guided fuzzing campaign (Jazzer) of exitscope's parsers, one target after another:
#   bench/jazzer-campaign.sh [SECONDS_PER_TARGET] [TARGET...]
# default 600 s per target; targets: traceDat text modelConfig failOn onThreshold.
# A crash is written by Jazzer into src/test/resources/io/exitscope/JazzerFuzzTestInputs/TARGET/
# (crash-<sha1>), where every later `mvn test` runs it: commit it with the fix, it is the
# regression test. The growing corpus is kept in .cifuzz-corpus/ (not committed).
# Coverage of a campaign: add -Djacoco=1 style agents yourself; bench/README has the comparison.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
secs=${1:-600}; shift || true
targets=("$@"); [ ${#targets[@]} -eq 0 ] && targets=(traceDat text modelConfig failOn onThreshold)
mvn -q -o test-compile >/dev/null || mvn -q test-compile || exit 1
status=0
for t in "${targets[@]}"; do
  echo "== $t: ${secs}s"
  # JAZZER_FUZZ=1 fuzzes instead of replaying; maxDuration in the annotation is overridden here
  JAZZER_FUZZ=1 JAZZER_MAX_DURATION=${secs}s mvn -q -o surefire:test -Dtest="JazzerFuzzTest#$t" \
      -Djazzer.max_duration="${secs}s" -DfailIfNoTests=false 2>&1 | grep -E "^#[0-9]+ *(DONE|pulse|NEW)|cov:|crash|Exception|FAIL|Tests run" | tail -5
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
exit $status
