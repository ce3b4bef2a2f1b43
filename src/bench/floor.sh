#!/usr/bin/env bash
# The floor under the chat's fan-out latency on this machine (src/bench/LoopbackFloor.java): N loopback
# connections, RATE messages a second for DURATION s, each message written to every connection by THREADS plain
# NIO threads in one process and read on READERS selector threads in another, with no container, HTTP or JSON. Compare
# its p99 with the chat benchmark's (chat.sh, nodes.sh) in the same session: the machine's share of the latency.
#
#   src/bench/floor.sh        # PORT (18130), N (10000), RATE (1), DURATION (30), THREADS (1), SIZE (200 bytes),
#                             # SETTLE (2000 ms), LEAD_IN (0 messages not measured), READERS (1 selector thread), JAVA (java)
set -euo pipefail
cd "$(dirname "$0")/../.."
port=${PORT:-18130} n=${N:-10000} rate=${RATE:-1} duration=${DURATION:-30} threads=${THREADS:-1}
size=${SIZE:-200} settle=${SETTLE:-2000} lead_in=${LEAD_IN:-0} readers=${READERS:-1} java=${JAVA:-java}
out=target/bench-floor; mkdir -p "$out"
classes=$(mktemp -d)
load=$(cut -d" " -f1 /proc/loadavg)
trap 'kill "${writer:-}" "${reader:-}" 2>/dev/null || true; rm -rf "$classes"' EXIT
javac -d "$classes" src/bench/LoopbackFloor.java
# Each process is bounded in time: a writer whose reader never connected would wait in accept() for good.
limit=$((duration + 120))
timeout "$limit" "$java" -Xmx1g -cp "$classes" LoopbackFloor write "$port" "$n" "$rate" "$duration" "$threads" "$size" "$settle" \
  > "$out/writer.log" 2>&1 & writer=$!
for _ in $(seq 100); do grep -q listening "$out/writer.log" && break; sleep 0.1; done
grep -q listening "$out/writer.log" || { echo "floor: the writer is not listening on $port" >&2; cat "$out/writer.log" >&2; exit 1; }
timeout "$limit" "$java" -Xmx1g -cp "$classes" LoopbackFloor read "$port" "$n" "$rate" "$duration" "$lead_in" "$size" "$readers" \
  > "$out/reader.log" 2>&1 & reader=$!
wait "$writer" || echo "floor: the writer failed (PID $writer)"
wait "$reader" || echo "floor: the reader failed (PID $reader)"
writer= reader=
printf 'floor N=%s RATE=%s DURATION=%s THREADS=%s READERS=%s SIZE=%s (1-minute load before: %s)\n' \
  "$n" "$rate" "$duration" "$threads" "$readers" "$size" "$load"
grep -h -E '^(writer|reader): (delivered|[0-9]+ messages)' "$out/writer.log" "$out/reader.log"
