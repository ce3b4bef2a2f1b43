#!/usr/bin/env bash
# Issue #14's "metering costs next to nothing", in one run: the same WAR on the standalone Tomcat (the run command's
# heap, JVM options and connector), metering on (the default) and off (asyncprimer.metrics.enabled=false: every
# meter a no-op), alternating on, off, on, off so that a drift of the shared machine shows as noise, not as a
# difference. Each server: a warm-up, then 5000 seed-timed streams (1 s + 1 s) and 500 WebSocket clients x 100
# round trips, with the server's CPU. Results: target/bench-metering/results.md, printed at the end.
#
#   src/bench/metering.sh      # needs `mvn verify` (or package + the cargo install) first
# Environment: PORT (8080), ROUNDS (2: pairs of on/off servers).
set -euo pipefail
cd "$(dirname "$0")/../.."
port=${PORT:-8080}
out=target/bench-metering
# The run command's heap, JVM options and connector: $heap, $initial_heap, $jvmargs, $connector.
source src/bench/lib.sh

bench() { mvn -q exec:java -Dbench="$*" | grep -E '^\||failures' || true; }

mkdir -p "$out"; rm -f "$out/results.md"
mvn -q test-compile
for round in $(seq 1 "${ROUNDS:-2}"); do
  for mode in on off; do
    params=""; [ "$mode" = off ] && params=asyncprimer.metrics.enabled=false
    pid=$(CONTEXT_PARAMS=$params HEAP=$heap JVM_OPTS="-Xms$initial_heap" JAVA_OPTS="$jvmargs" PORT=$port src/bench/server.sh start tomcat "metering-$mode" $connector)
    bench "streams --url http://127.0.0.1:$port/ --n 3000 --first 300 --second 300 --label warmup --out target/bench-scratch"
    bench "wsecho --url http://127.0.0.1:$port/ --clients 200 --rounds 50 --label warmup --out target/bench-scratch"
    bench "streams --url http://127.0.0.1:$port/ --n 5000 --first 1000 --second 1000 --pid $pid --label metering-$mode-$round --out $out"
    bench "wsecho --url http://127.0.0.1:$port/ --clients 500 --rounds 100 --pid $pid --label metering-$mode-ws-$round --out $out"
    src/bench/server.sh stop "metering-$mode"
  done
done
echo; cat "$out/results.md"
