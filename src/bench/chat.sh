#!/usr/bin/env bash
# Issue #11's chat benchmark in one run: on the run command's Tomcat (20 request threads, its connector settings,
# heap and JVM options, a fresh server per transport) 10 000 SSE subscribers, 10 000 WebSocket subscribers and
# 5 000 long-poll subscribers of one room, one message a second for 30 s; then the seed's own stack doing the same
# long-poll (src/bench/seedchat.py: Bottle + gevent, and Bottle's wsgiref server on 20 threads). Each Tomcat run is
# preceded by a warm-up on the same server so that the JIT compiles the fan-out first (as many
# subscribers as the run, WARMUP_RATE messages/s for WARMUP_DURATION s, in another room: a 2 000-subscriber, 4 s
# warm-up left C2 using 6-30 % of the server's CPU inside the measured run), then waits until the server has found
# the warm-up's subscribers gone (lib.sh's subscribers_gone: up to 30 s for SSE), and each run waits for a quiet machine.
# The results note the JIT compiler threads' CPU during each measured run. Results: target/bench-chat/results.md,
# printed at the end, and each run's latency per message in target/bench-chat/<run>-per-message.csv.
#
#   src/bench/chat.sh          # needs `mvn verify` (or package + the cargo install) first, and Debian's
#                              # python3-bottle and python3-gevent for the seed's runs
# Environment: PORT (Tomcat, 8080), SEED_PORT (8081), N_SSE, N_WS (10000), N_POLL (5000; each 0: none), DURATION (30 s),
# MAX_LOAD (2.5: the 1-minute load average a run waits for), WAIT_TRIES (40 waits of 30 s at most; 0: none),
# WARMUP_RATE (2 messages/s), WARMUP_DURATION (20 s; 0: no warm-up), SEED (1; 0: skip the seed's runs), LEAD_IN
# (0: messages each measured run publishes first, at its rate, to the same subscribers, and does not measure), SETTLE
# (2000 ms between the last subscriber connected and the first publish), EXTRA_JVM
# (more options for each Tomcat's JVM, e.g. -Xlog:gc*:file=/tmp/gc.log:uptime or -XX:+PrintCompilation, whose
# output goes to target/bench-servers/chat-<transport>/logs/catalina.out).
set -euo pipefail
cd "$(dirname "$0")/../.."
port=${PORT:-8080}
seed_port=${SEED_PORT:-8081}
duration=${DURATION:-30}
warmup_rate=${WARMUP_RATE:-2}
warmup_duration=${WARMUP_DURATION:-20}
lead_in=${LEAD_IN:-0}
settle=${SETTLE:-2000}
out=target/bench-chat
# The run command's heap, JVM options and connector: $heap, $initial_heap, $jvmargs, $connector.
source src/bench/lib.sh

bench() { mvn -q exec:java -Dbench="$*" | grep -E '^\||failures|ready' || true; }

: "${WAIT_TRIES:=40}" "${WAIT_SECONDS:=30}" "${MAX_LOAD:=2.5}" # quiet (lib.sh): at most 20 minutes

mkdir -p "$out"; rm -f "$out/results.md"
mvn -q test-compile

tomcat_run() { # transport n
  local pid
  quiet # before the warm-up too: it should not share the machine either
  pid=$(HEAP=$heap JVM_OPTS="-Xms$initial_heap" JAVA_OPTS="$jvmargs ${EXTRA_JVM:-}" PORT=$port src/bench/server.sh start tomcat "chat-$1" $connector)
  if [ "$warmup_duration" -gt 0 ]; then
    bench "chat --url http://127.0.0.1:$port/ --transport $1 --n $2 --rate $warmup_rate --duration $warmup_duration --room warmup --label warmup --out target/bench-scratch"
    subscribers_gone "$port" "tomcat-$1-$2" "$out/results.md" # lib.sh: else the run has their teardown
  fi
  quiet "tomcat-$1-$2" "$out/results.md"
  if kill -0 "$pid" 2>/dev/null; then
    local jit cpu
    jit=$(jit_ticks "$pid"); cpu=$(cpu_ticks "$pid")
    bench "chat --url http://127.0.0.1:$port/ --transport $1 --n $2 --rate 1 --duration $duration --lead-in $lead_in --pid $pid --heap --settle $settle --label tomcat-$1-$2 --out $out"
    jit=$(( $(jit_ticks "$pid") - jit )); cpu=$(( $(cpu_ticks "$pid") - cpu ))
    printf 'tomcat-%s-%s: JIT compiler threads %s.%02d CPU s of the server'"'"'s %s.%02d during the run (live-heap GC included)\n' \
      "$1" "$2" $((jit / 100)) $((jit % 100)) $((cpu / 100)) $((cpu % 100)) | tee -a "$out/results.md"
  fi
  src/bench/server.sh stop "chat-$1" || echo "tomcat-$1-$2: the server (PID $pid) was gone before it was stopped" | tee -a "$out/results.md"
}
if [ "${N_SSE:-10000}" -gt 0 ]; then tomcat_run sse "${N_SSE:-10000}"; fi
if [ "${N_WS:-10000}" -gt 0 ]; then tomcat_run ws "${N_WS:-10000}"; fi
if [ "${N_POLL:-5000}" -gt 0 ]; then tomcat_run poll "${N_POLL:-5000}"; fi

seed_run() { # mode label n [options]
  local mode=$1 label=$2 n=$3; shift 3
  /usr/bin/python3 src/bench/seedchat.py "$mode" "$seed_port" > "$out/seedchat-$mode.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 40); do curl -fs -o /dev/null "http://127.0.0.1:$seed_port/chat/up?timeout=1" && break; sleep 0.25; done
  quiet "$label" "$out/results.md"
  bench "chat --url http://127.0.0.1:$seed_port/ --transport poll --n $n --rate 1 --duration $duration --pid $pid --label $label --out $out $*"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
if [ "${SEED:-1}" = 1 ]; then
seed_run gevent seed-gevent-poll-200 200                         # small first: what it does when it is easy
seed_run gevent seed-gevent-poll-"${N_POLL:-5000}" "${N_POLL:-5000}"
seed_run sync seed-sync20-poll-19 19
seed_run sync seed-sync20-poll-20 20 --deadline 120
seed_run sync seed-sync20-poll-"${N_POLL:-5000}" "${N_POLL:-5000}" --deadline 120
fi

echo; cat "$out/results.md"
