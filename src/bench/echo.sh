#!/usr/bin/env bash
# Issue #15's WebSocket echo cost in one run: the WAR's /websocket and the plainest JSR-356 echo
# (target/plain-echo.war, src/bench/java: getBasicRemote().sendText of the same PyRepr reply) on standalone
# Tomcat 11 and on Jetty 12 (src/bench/server.sh, 20 request threads, a fresh server for each), 1000 clients x 200
# round trips each after a warm-up of 1000 x 50, and the WAR once more on Jetty with JETTY_TUNED; then the table of
# CPU per message as ratios to the plainest echo of the same container and run. Results:
# target/bench-echo/results.md, printed at the end.
#
#   src/bench/echo.sh          # needs `mvn verify` (or package + the cargo install) first
# Environment: PORT (8080), CLIENTS (1000), ROUNDS (200), MAX_LOAD (1.5: the 1-minute load average each run waits
# for, up to WAIT_TRIES (3) waits of 10 s), CONTAINERS ("tomcat jetty"), JETTY_TUNED (JettyServer settings for the
# extra Jetty run, default "reservedThreads=2"; empty: no extra run), JFR (a directory: record each measured
# run with JDK Flight Recorder into it, e.g. /tmp/jfr; profiling costs a little CPU itself, so not for the figures).
set -euo pipefail
cd "$(dirname "$0")/../.."
port=${PORT:-8080}
clients=${CLIENTS:-1000}
rounds=${ROUNDS:-200}
out=target/bench-echo
mkdir -p "$out"; rm -f "$out/results.md" "$out/summary.md" "$out"/rows-*

bench() { mvn -q exec:java -Dbench="$*" | tee -a "$out/bench.log" | grep -E '^\||failures' || true; }

source src/bench/lib.sh
: "${WAIT_TRIES:=3}" "${WAIT_SECONDS:=10}" "${MAX_LOAD:=1.5}" # quiet (lib.sh)

run() { # container war label [server settings]
  local container=$1 war=$2 label=$3 pid
  shift 3
  pid=$(WAR=$war PORT=$port src/bench/server.sh start "$container" "echo-$label" "$@")
  bench "wsecho --url http://127.0.0.1:$port/ --clients $clients --rounds 50 --label warmup --out target/bench-scratch"
  quiet "$label" "$out/results.md"
  if [ -n "${JFR:-}" ]; then
    mkdir -p "$JFR"
    jcmd "$pid" JFR.start name=echo settings=profile filename="$(readlink -f "$JFR")/$label.jfr" >/dev/null
  fi
  bench "wsecho --url http://127.0.0.1:$port/ --clients $clients --rounds $rounds --pid $pid --label $label --out $out" \
    | tee "$out/rows-$label"
  if [ -n "${JFR:-}" ]; then jcmd "$pid" JFR.stop name=echo >/dev/null || true; fi
  src/bench/server.sh stop "echo-$label" || echo "$label: the server (PID $pid) was gone before it was stopped" | tee -a "$out/results.md"
}

mvn -q process-test-classes # the yardstick, target/plain-echo.war, is made with the test classes
for container in ${CONTAINERS:-tomcat jetty}; do
  run "$container" target/plain-echo.war "$container-plain"
  run "$container" target/async-primer.war "$container-war"
done
tuned=${JETTY_TUNED-reservedThreads=2}
if [[ " ${CONTAINERS:-tomcat jetty} " == *" jetty "* && -n "$tuned" ]]; then
  run jetty target/async-primer.war jetty-war-tuned $tuned
fi

# CPU per message (the last column of a row) of each, and as a ratio to the plainest echo on the same container.
{
  printf '\n| server | msg/s | RTT ms p50 / p99 / max | CPU µs per message | ratio to the plainest echo |\n|---|---|---|---|---|\n'
  for container in ${CONTAINERS:-tomcat jetty}; do
    base=$(grep -E '^\| ' "$out/rows-$container-plain" | tail -n 1 | awk -F'|' '{ print $(NF-1) }')
    for kind in plain war war-tuned; do
      [ -f "$out/rows-$container-$kind" ] || continue
      grep -E '^\| ' "$out/rows-$container-$kind" | tail -n 1 | awk -F'|' -v b="$base" -v k="$container-$kind" \
        '{ printf "| %s | %s | %s | %s | %.3f |\n", k, $6, $7, $(NF-1), $(NF-1) / b }'
    done
  done
} | tee -a "$out/summary.md" >> "$out/results.md"
echo; cat "$out/results.md"
