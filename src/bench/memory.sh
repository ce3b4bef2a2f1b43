#!/usr/bin/env bash
# The run command's memory, old JVM settings against new, in one run: for each setting a fresh standalone
# Tomcat 11.0.24 with the run command's connector, its RSS idle after start, after a warm-up, after two runs of
# 10 000 seed streams (START, MIDDLE 3 s, END 5 s later) and again after a quiet minute (the new settings give
# the heap back), the END lateness of both runs; then, on another fresh server, the live heap per held stream.
# A run in which some client failed still counts (its table says how many): the server is stopped either way.
#
#   src/bench/memory.sh                    # old new; needs `mvn verify` (or package + cargo:install) first
#   src/bench/memory.sh old new; src/bench/memory.sh new old   # a second round, the other way round
#   JVM_try="-Xms64m -Xmx1g ..." ATTRS_try="processorCache=500 ..." src/bench/memory.sh old try   # ATTRS_new if unset
#
# Environment: PORT (8080), BENCH_LOCK (a file: the latency servers, one after the other, hold `flock` on it, then
# the live-heap servers; released in between, so that no other benchmark shares the machine meanwhile: with two
# settings each holds it for about 5 and 2 minutes), QUIET (s before the last RSS reading, 60), LATENCY_RUN
# and HEAP_RUN (0 skips the latency servers or the live-heap servers), HEAP_NAMES (the settings whose live heap is
# measured, if not the same). Results: printed, and in target/bench/results.md as every Bench run's.
set -euo pipefail
self=$(readlink -f "$0")
cd "$(dirname "$0")/../.."
port=${PORT:-8080}
url=http://127.0.0.1:$port/
quiet=${QUIET:-60}

# The run command's connector (pom.xml, cargo's xmlReplacements; docker/server.xml), before and after.
ATTRS_old=${ATTRS_old:-"socket.appReadBufSize=1024 socket.appWriteBufSize=1024 maxHttpHeaderSize=4096 \
maxHttpResponseHeaderSize=1024 processorCache=500 socket.bufferPool=500"}
ATTRS_new=${ATTRS_new:-"socket.appReadBufSize=1024 socket.appWriteBufSize=1024 maxHttpHeaderSize=4096 \
maxHttpResponseHeaderSize=1024 processorCache=500 socket.bufferPool=500 maxTrailerSize=256"}
# Its JVM settings (pom.xml run.heap and run.jvmargs; docker/Dockerfile CATALINA_OPTS), before and after.
JVM_old=${JVM_old:-"-Xms1536m -Xmx1536m -XX:MaxGCPauseMillis=20 -XX:+AlwaysPreTouch"}
# (The measured rounds of 2026-11-27 had -XX:-G1PeriodicGCInvokesConcurrent here: see README, Memory.)
JVM_new=${JVM_new:-"-Xms64m -Xmx1536m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:G1PeriodicGCInterval=30000"}

bench() { mvn -q -o exec:java -Dbench="$*"; }
rss() { awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }
# The END ("last chunk late") p99 of a streams table row: columns are | run | N | ... | last chunk late p50 / p99 / max |
end_p99() { awk -F'|' -v label="$1" '$2 ~ " "label" " { split($8, l, "/"); gsub(/ /, "", l[2]); print l[2] }'; }
locked() { if [ -n "${BENCH_LOCK:-}" ]; then flock "$BENCH_LOCK" "$@"; else "$@"; fi; }

one_setting() { # name: the latency server
  local name=$1 jvm attrs pid start warm after1 after2 quiet_rss run1 run2
  jvm=JVM_$name; attrs=ATTRS_$name; [ -n "${!attrs+set}" ] || attrs=ATTRS_new
  echo "== $name: JVM ${!jvm}; connector ${!attrs}"
  pid=$(PORT=$port JVM_OPTS="${!jvm}" src/bench/server.sh start tomcat "mem-$name" ${!attrs})
  sleep 10; start=$(rss "$pid")
  bench "streams --url $url --n 2000 --first 300 --second 300 --deadline 30 --label warmup --out target/bench-scratch" >/dev/null || true
  sleep 5; warm=$(rss "$pid")
  run1=$(bench "streams --url $url --n 10000 --pid $pid --deadline 60 --label $name-run1" | tee -a /dev/stderr | end_p99 "$name-run1") || true
  after1=$(rss "$pid")
  run2=$(bench "streams --url $url --n 10000 --pid $pid --deadline 60 --label $name-run2" | tee -a /dev/stderr | end_p99 "$name-run2") || true
  after2=$(rss "$pid")
  sleep "$quiet"; quiet_rss=$(rss "$pid")
  src/bench/server.sh stop "mem-$name"
  echo "| $name | $start | $warm | $after1 | $after2 | $quiet_rss | $run1 | $run2 |" >> target/bench/memory-rows.md
}

heap_setting() { # name: live heap per held stream, 4 000 streams held on a fresh server (as in the README)
  local name=$1 jvm attrs pid
  jvm=JVM_$name; attrs=ATTRS_$name; [ -n "${!attrs+set}" ] || attrs=ATTRS_new
  pid=$(PORT=$port JVM_OPTS="${!jvm}" src/bench/server.sh start tomcat "mem-$name" ${!attrs})
  bench "streams --url $url --n 4000 --first 15000 --second 15000 --pid $pid --heap --deadline 60 --label $name-heap" || true
  src/bench/server.sh stop "mem-$name"
}

case "${1:-}" in # the script runs itself for each round of servers, under the lock
  --latency) shift; for name in "$@"; do one_setting "$name"; done; exit ;;
  --heap) shift; for name in "$@"; do heap_setting "$name"; done; exit ;;
esac
names=${*:-old new}
mvn -q -o test-compile
mkdir -p target/bench
: > target/bench/memory-rows.md
uptime
if [ "${LATENCY_RUN:-1}" != 0 ]; then
  locked "$self" --latency $names
fi
uptime
if [ "${HEAP_RUN:-1}" != 0 ]; then
  locked "$self" --heap ${HEAP_NAMES:-$names}
fi
echo
echo "| setting | RSS MB idle after start | after warm-up | after run 1 | after run 2 | ${quiet} s later | END p99 ms run 1 | run 2 |"
echo "|---|---|---|---|---|---|---|---|"
cat target/bench/memory-rows.md
