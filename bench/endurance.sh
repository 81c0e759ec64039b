#!/usr/bin/env bash
# Endurance of `exitscope live --batch` with its Prometheus endpoint scraped by a second process:
#   bench/endurance.sh [--minutes M] [--warmup-s W] [--port P] [--mode pio-ioeventfd] [--out DIR]
# Runs live --batch -f json --interval 1s for M minutes (default 10) while, with /dev/kvm, the KVM
# exerciser runs back to back at its top rate (mode pio-ioeventfd: the most events per second),
# and a scraper fetches http://127.0.0.1:P/metrics once a second (loopback only; each fetch at most
# 5 s). Without /dev/kvm it runs guest-less (no KVM events: memory, intervals and scrapes only)
# and says so. Checks and prints:
#   - resident memory (VmRSS, sampled every 5 s) after the warm-up (default: the first minute)
#     stays within 5 % of its value at the end of the warm-up
#   - zero lost events (cumulative lost_events of the last line)
#   - intervals contiguous (each starts where the last ended) and their exits and events add up
#     to the cumulative view of the last line
#   - scrape latency p50 / p99 / max
# Needs root, tracefs, curl, python3, jstat (JDK), the jar (mvn -q package -DskipTests). Exit 0 when all hold.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
minutes=10 warmup=60 port=9464 mode=pio-ioeventfd out=
while [ $# -gt 0 ]; do
  case $1 in
    --minutes) minutes=$2; shift 2 ;;
    --warmup-s) warmup=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --mode) mode=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) sed -n '2,16p' "$0"; exit 64 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "needs root (live tracing)"; exit 2; }
command -v curl >/dev/null || { echo "needs curl"; exit 2; }
out=${out:-$(mktemp -d /tmp/exitscope-endurance.XXXXXX)}
mkdir -p "$out"
secs=$(python3 -c "print(int(float('$minutes') * 60))")
ex=$here/target/native/kvm-exerciser
guest=no
if [ -c /dev/kvm ] && [ -x "$ex" ]; then guest=yes; fi
echo "endurance: ${secs}s, warm-up ${warmup}s, prometheus 127.0.0.1:$port, output in $out"
[ $guest = yes ] && echo "guest: the KVM exerciser, mode $mode, back to back" \
  || echo "guest-less: no /dev/kvm (or no exerciser built) here, so no KVM events: memory, intervals and scrapes only"

"$here/bin/exitscope" live --batch -f json --interval 1s --duration "${secs}s" --prometheus "127.0.0.1:$port" \
  > "$out/live.jsonl" 2> "$out/live.err" &
live=$!
cleanup() { kill "$live" "${exer:-}" "${scraper:-}" "${sampler:-}" 2>/dev/null; }
trap cleanup EXIT INT TERM
if [ $guest = yes ]; then
  ( while kill -0 "$live" 2>/dev/null; do "$ex" --mode "$mode" --seconds 10 >/dev/null 2>&1 || sleep 1; done ) &
  exer=$!
fi
( # the scraper: once a second, bounded, from when the endpoint is up until live ends
  until grep -q "Prometheus metrics on" "$out/live.err" 2>/dev/null; do kill -0 "$live" 2>/dev/null || exit; sleep 0.2; done
  while kill -0 "$live" 2>/dev/null; do
    r=$(curl -s -m 5 -o /dev/null -w '%{http_code} %{time_total}' "http://127.0.0.1:$port/metrics" 2>/dev/null)
    kill -0 "$live" 2>/dev/null && echo "$r" >> "$out/scrapes.txt" # a fetch cut by live's end is not a failure
    sleep 1
  done ) &
scraper=$!
( # resident memory of the live JVM every 5 s: seconds since start, kB, young collections so far
  t0=$(date +%s)
  jpid=$(pgrep -P "$live" java || echo "$live") # bin/exitscope execs java: the same pid
  while kill -0 "$live" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/{print $2}' "/proc/$jpid/status" 2>/dev/null)
    ygc=$(jstat -gc "$jpid" 2>/dev/null | awk 'NR==2{for(i=1;i<=NF;i++) if(h[i]=="YGC") print $i} NR==1{for(i=1;i<=NF;i++) h[i]=$i}')
    [ -n "$rss" ] && echo "$(( $(date +%s) - t0 )) $rss ${ygc:-?}" >> "$out/rss.txt"
    sleep 5
  done ) &
sampler=$!
wait "$live"; code=$?
sleep 1
kill "${exer:-}" "$scraper" "$sampler" 2>/dev/null
echo "live exit status $code; stderr: $(tr '\n' ' ' < "$out/live.err")"

python3 - "$out" "$warmup" <<'PY'
import json, sys
out, warmup = sys.argv[1], float(sys.argv[2])
ok = True
lines = [json.loads(l) for l in open(f"{out}/live.jsonl") if l.strip()]
if not lines:
    print("FAIL no interval printed"); sys.exit(1)
gaps = sum(1 for a, b in zip(lines, lines[1:]) if b["interval_start_ns"] != a["interval_end_ns"])
cum = lines[-1]["cumulative"]
sum_exits = sum(l["exits"] for l in lines); sum_events = sum(l["events"] for l in lines)
lost = cum["lost_events"]
print(f"intervals {len(lines)}, gaps {gaps}; exits: sum of intervals {sum_exits}, cumulative {cum['exits']}; "
      f"events: {sum_events} vs {cum['events']}; lost events {lost}")
if gaps or sum_exits != cum["exits"] or sum_events != cum["events"]:
    print("FAIL intervals not contiguous or not adding up"); ok = False
if lost:
    print("FAIL lost events"); ok = False
rss = []
for l in open(f"{out}/rss.txt"):
    t, kb, ygc = l.split()
    rss.append((int(t), int(kb), -1 if ygc == "?" else int(ygc)))
# the JVM touches its young generation page by page until the first young collection: until then
# resident memory grows with every allocation, leak or not (-Xmx256m SerialGC: eden ~70 MB)
gcs = rss[-1][2]
print(f"young collections during the run: {gcs if gcs >= 0 else 'unknown (no jstat)'}")
if gcs == 0:
    print("note: no young collection yet, so RSS still grows as eden is first touched; run longer")
base = [kb for t, kb, _ in rss if t >= warmup]
if base:
    ref = base[0]; lo, hi = min(base), max(base)
    drift = max(abs(hi - ref), abs(ref - lo)) / ref * 100
    print(f"RSS after {warmup:.0f}s: {ref} kB at start, min {lo}, max {hi}, end {base[-1]} kB: within {drift:.1f} % "
          f"({len(base)} samples; whole run {rss[0][1]}..{max(kb for _, kb, _ in rss)} kB)")
    if drift > 5: print("FAIL resident memory moved more than 5 %"); ok = False
else:
    print("RSS: the run was shorter than the warm-up"); ok = False
sc = [l.split() for l in open(f"{out}/scrapes.txt")]
good = sorted(float(t) * 1000 for c, t in sc if c == "200")
bad = sum(1 for c, _ in sc if c != "200")
if good:
    p = lambda q: good[min(len(good) - 1, int(q * len(good)))]
    print(f"scrapes {len(sc)} ({bad} failed): latency p50 {p(0.5):.2f} ms, p99 {p(0.99):.2f} ms, max {good[-1]:.2f} ms")
if bad or not good:
    print("FAIL scrapes failed"); ok = False
print("OK" if ok else "FAILED")
sys.exit(0 if ok else 1)
PY
