#!/usr/bin/env bash
# Issue #12's benchmark: the chat on two nodes that share one Redis, against the same load on one node.
#  1. redis-server (append-only, every write fsynced before Redis answers; data in a fresh target/bench-nodes-redis.*
#     folder), a standalone Tomcat node and a Jetty node (NODE_B=tomcat: a second Tomcat; src/bench/server.sh), both with
#     asyncprimer.chat.redis pointing at that Redis: N SSE subscribers of one room, spread over the two nodes in
#     turn (N/2 each), and one publisher on the Tomcat node, RATE messages/s for DURATION s. Each subscriber's
#     publish-to-receive latency is that of its node: the second node's is the cross-node one (but every message
#     reaches both nodes the same way: through Redis, whose XREAD each node's one reader runs).
#  2. The baseline of the same run: the same N SSE subscribers on the Tomcat node alone, with its in-memory broker.
# Each run is preceded by a warm-up on the same servers so that the JIT compiles first (as many
# subscribers as the run at the run's rate for 20 s, in another room: a 1 000-subscriber, 4 s one left the JIT
# compiling inside the measured run) and followed by a wait until the nodes have found the warm-up's subscribers gone
# (lib.sh's subscribers_gone); the results note the JIT compiler threads' CPU during each measured run.
# Every server this script starts is stopped by its PID at the end.
#
#   flock /work/wt/_notes/bench.lock src/bench/nodes.sh      # after `mvn verify` (the WAR, the standalone Tomcat)
#
# Environment: PORT_A (18100: Tomcat), PORT_B (18101: the second node), NODE_B (jetty; tomcat: a second standalone
# Tomcat with the run command's settings, as docker/compose.yaml deploys), REDIS_PORT (18120), N (10000), RATE (1),
# DURATION (30 s), WARMUP (subscribers: N; 0: none), WARMUP_RATE (RATE), WARMUP_DURATION (20 s).
# Results: target/bench-nodes/results.md, printed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
port_a=${PORT_A:-18100}
port_b=${PORT_B:-18101}
redis_port=${REDIS_PORT:-18120}
n=${N:-10000}
rate=${RATE:-1}
duration=${DURATION:-30}
warmup=${WARMUP:-$n}
warmup_rate=${WARMUP_RATE:-$rate}
warmup_duration=${WARMUP_DURATION:-20}
node_b=${NODE_B:-jetty}
case "$node_b" in tomcat|jetty) ;; *) echo "NODE_B must be jetty or tomcat, not $node_b" >&2; exit 2 ;; esac
out=target/bench-nodes
# The run command's heap, JVM options and connector: $heap, $initial_heap, $jvmargs, $connector.
source src/bench/lib.sh

mkdir -p "$out"; rm -f "$out/results.md"
redis_dir=$(mktemp -d "$PWD/target/bench-nodes-redis.XXXXXX")
redis_pid=
started=() # server.sh names, stopped by the PID server.sh keeps

stop_all() {
  for name in "${started[@]}"; do
    src/bench/server.sh stop "$name" || echo "$name was gone before it was stopped"
  done
  started=()
  if [ -n "$redis_pid" ]; then
    kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null || true
    redis_pid=
  fi
}
trap stop_all EXIT

bench() { mvn -q exec:java -Dbench="$*" | grep -E '^\||failures|ready' || true; }

connected() { # port: waits until the node's chat broker is connected (/status "chatBrokerConnected":1)
  for _ in $(seq 1 60); do
    status_has "$1" '"chatBrokerConnected":1' && return 0 # lib.sh
    sleep 0.5
  done
  echo "the node on $1 did not connect to Redis" >&2; return 1
}

node() { # kind name port [context params]: starts a node with the run command's settings, prints its PID
  local kind=$1 name=$2 port=$3 params=${4:-}
  if [ "$kind" = tomcat ]; then
    HEAP=$heap JVM_OPTS="-Xms$initial_heap" JAVA_OPTS="$jvmargs" PORT=$port CONTEXT_PARAMS=$params src/bench/server.sh start tomcat "$name" $connector
  else
    HEAP=$heap JVM_OPTS="-Xms$initial_heap $jvmargs" PORT=$port CONTEXT_PARAMS=$params src/bench/server.sh start jetty "$name"
  fi
}

jit_note() { # label pid... : the JIT compiler threads' CPU since the last call with the same pids, into the results
  local label=$1 pid total=0; shift
  for pid in "$@"; do total=$((total + $(jit_ticks "$pid"))); done
  if [ -n "${jit_before:-}" ]; then
    printf '%s: JIT compiler threads %s.%02d CPU s during the run (its nodes together)\n' \
      "$label" $(((total - jit_before) / 100)) $(((total - jit_before) % 100)) | tee -a "$out/results.md"
    jit_before=
  else
    jit_before=$total
  fi
}

mvn -q test-compile

# 1. Two nodes, one Redis.
/usr/bin/redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$redis_dir" --appendonly yes \
  --appendfsync always --save '' --daemonize no --logfile "$redis_dir/redis.log" &
redis_pid=$!
for _ in $(seq 1 40); do redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && break; sleep 0.25; done
redis="asyncprimer.chat.redis=redis://127.0.0.1:$redis_port"
started+=(nodes-tomcat "nodes-$node_b-b") # before they start: $(node ...) runs in a subshell
tomcat_pid=$(node tomcat nodes-tomcat "$port_a" "$redis")
b_pid=$(node "$node_b" "nodes-$node_b-b" "$port_b" "$redis")
connected "$port_a"; connected "$port_b"
urls="http://127.0.0.1:$port_a/,http://127.0.0.1:$port_b/"
if [ "$warmup" -gt 0 ]; then
  bench "chat --url $urls --transport sse --n $warmup --rate $warmup_rate --duration $warmup_duration --room warmup --label warmup --out target/bench-scratch"
  warmed=$SECONDS # lib.sh's subscribers_gone, both nodes timed from the warm-up's end
  subscribers_gone "$port_a" two-nodes "$out/results.md" "$warmed"
  subscribers_gone "$port_b" two-nodes "$out/results.md" "$warmed"
fi
printf '\ntwo nodes (Tomcat PID %s, %s PID %s, redis-server PID %s), 1-minute load before the run: %s\n' \
  "$tomcat_pid" "${node_b^}" "$b_pid" "$redis_pid" "$(cut -d ' ' -f 1 /proc/loadavg)" >> "$out/results.md"
jit_note two-nodes "$tomcat_pid" "$b_pid"
bench "chat --url $urls --transport sse --n $n --rate $rate --duration $duration --settle 2000 --label two-nodes-sse-$n --out $out"
jit_note two-nodes "$tomcat_pid" "$b_pid"
# Two connections per node whatever the number of clients: 4, plus the redis-cli asking.
printf 'Redis clients after the run, this redis-cli included: %s\n' \
  "$(redis-cli -p "$redis_port" info clients | tr -d '\r' | sed -n 's/^connected_clients://p')" | tee -a "$out/results.md"
stop_all

# 2. The baseline: one node, its in-memory broker.
started+=(nodes-baseline)
tomcat_pid=$(node tomcat nodes-baseline "$port_a")
url="http://127.0.0.1:$port_a/"
if [ "$warmup" -gt 0 ]; then
  bench "chat --url $url --transport sse --n $warmup --rate $warmup_rate --duration $warmup_duration --room warmup --label warmup --out target/bench-scratch"
  subscribers_gone "$port_a" one-node "$out/results.md" # lib.sh
fi
printf '\none node, in memory (Tomcat PID %s), 1-minute load before the run: %s\n' \
  "$tomcat_pid" "$(cut -d ' ' -f 1 /proc/loadavg)" >> "$out/results.md"
jit_note one-node "$tomcat_pid"
bench "chat --url $url --transport sse --n $n --rate $rate --duration $duration --settle 2000 --label one-node-sse-$n --out $out"
jit_note one-node "$tomcat_pid"
stop_all
rm -rf "$redis_dir"

echo; cat "$out/results.md"
