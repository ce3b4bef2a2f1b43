#!/usr/bin/env bash
# Issue #15 against the peers, measured in the same run: the seed's endpoints on Node.js (`ws`, src/bench/peers/seed-node.js)
# and on the seed's own stack (Bottle + gevent + gevent-websocket, src/bench/peers/seed-gevent.py) next to the WAR
# and the plainest JSR-356 echo on standalone Tomcat 11 and Jetty 12 (src/bench/server.sh, 20 request threads, as
# in src/bench/echo.sh). Every server is fresh and runs alone, one after the other, against the same client and
# counts; the peers answer the WAR's exact reply, so the client checks every reply of every server alike.
#
#   src/bench/peers.sh tomcat    # WebSocket echo, CLIENTS (1000) x ROUNDS (200) after a warm-up of CLIENTS x 50, on
#                                # Node, gevent, Tomcat's plainest echo and the WAR on Tomcat
#   src/bench/peers.sh jetty     # the same on Node, gevent, Jetty's plainest echo, the WAR on Jetty, and the WAR on
#                                # Jetty with JETTY_TUNED
#   src/bench/peers.sh echo      # all seven in one run (about 6 minutes here)
#   src/bench/peers.sh streams   # N (10000) seed streams (START, MIDDLE 3 s later, END 5 s after) on Node, gevent
#                                # and the run command's Tomcat (its heap, JVM options and connector), after a warm-up
#
# Needs `mvn verify` once (the WARs and the standalone Tomcat), Node.js with npm and Debian's Python with Bottle,
# gevent and gevent-websocket (the script says what to install); `ws` is installed by npm into target/peers.
# Environment: PORT (8080; every server in turn), SERVERS (other servers than the part's, from node, gevent,
# tomcat-plain, tomcat-war, jetty-plain, jetty-war, jetty-war-tuned; for streams node, gevent, tomcat-run),
# JETTY_TUNED (jetty-war-tuned's JettyServer settings, "reservedThreads=2"), MAX_LOAD (1.5) and WAIT_TRIES (3):
# each measured run waits up to that many times 10 s for the 1-minute load to drop below MAX_LOAD, and notes the
# load either way. Results: target/bench-peers/<part>.md, printed as they come.
set -euo pipefail
cd "$(dirname "$0")/../.."
part=${1:-echo}
port=${PORT:-8080}
clients=${CLIENTS:-1000}
rounds=${ROUNDS:-200}
n=${N:-10000}
out=target/bench-peers
python=/usr/bin/python3 # Debian's, with Debian's gevent: not a pyenv or venv python that lacks it
ws_version=8.23.0

missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
for module in bottle:python3-bottle gevent:python3-gevent geventwebsocket:python3-gevent-websocket; do
  "$python" -c "import ${module%%:*}" 2>/dev/null || missing+=("${module#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "peers.sh needs Debian's ${missing[*]}: sudo apt-get install -y ${missing[*]}" >&2
  exit 2
fi
for built in target/async-primer.war target/cargo/installs; do
  [ -e "$built" ] || { echo "peers.sh needs $built: run mvn verify first" >&2; exit 2; }
done
if [ ! -f target/peers/node_modules/ws/package.json ]; then
  npm install --prefix target/peers --no-audit --no-fund --silent "ws@$ws_version" >/dev/null
fi

mkdir -p "$out"
results=$out/$part.md
rm -f "$results" "$out"/rows-*
printf '`src/bench/peers.sh %s`, %s, CLIENTS=%s ROUNDS=%s N=%s JETTY_TUNED="%s"\n' "$part" "$(date -u '+%F %H:%M UTC')" \
  "$clients" "$rounds" "$n" "${JETTY_TUNED-reservedThreads=2}" | tee "$results"

bench() { mvn -B -q exec:java -Dbench="$*" | sed 's/\x1b\[[0-9;]*m//g' | tee -a "$out/bench.log" | grep -E '^\||failures' || true; }

source src/bench/lib.sh
: "${WAIT_TRIES:=3}" "${WAIT_SECONDS:=10}" "${MAX_LOAD:=1.5}" # quiet (lib.sh)

# A peer lives in target/bench-servers/NAME like server.sh's servers, so that `server.sh stop NAME` stops it too.
start_peer() { # node|gevent name; prints the PID once the peer answers a plain GET /websocket with the seed's 400
  local base=target/bench-servers/$2
  rm -rf "$base"; mkdir -p "$base"
  if [ "$1" = node ]; then
    (NODE_PATH=target/peers/node_modules nohup node src/bench/peers/seed-node.js "$port" > "$base/log" 2>&1 &
     echo $! > "$base/pid")
  else
    (nohup "$python" src/bench/peers/seed-gevent.py "$port" > "$base/log" 2>&1 & echo $! > "$base/pid")
  fi
  for _ in $(seq 1 60); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/websocket")" = 400 ]; then
      cat "$base/pid"; return 0
    fi
    sleep 0.5
  done
  echo "the $1 peer did not come up: $(cat "$base/log")" >&2; exit 1
}

# The run command's heap, JVM options and connector, as src/bench/chat.sh takes them from pom.xml.
run_command_tomcat() { # name
  local heap initial jvmargs
  heap=$(sed -n 's:.*<run.heap>\(.*\)</run.heap>.*:\1:p' pom.xml)
  initial=$(sed -n 's:.*<run.initialHeap>\(.*\)</run.initialHeap>.*:\1:p' pom.xml)
  jvmargs=$(sed -n 's:.*<run.jvmargs>\(.*\)</run.jvmargs>.*:\1:p' pom.xml)
  HEAP=$heap JVM_OPTS="-Xms$initial" JAVA_OPTS="$jvmargs" PORT=$port src/bench/server.sh start tomcat "$1" \
    socket.appReadBufSize=1024 socket.appWriteBufSize=1024 maxHttpHeaderSize=4096 maxHttpResponseHeaderSize=1024 \
    processorCache=500 socket.bufferPool=500 maxTrailerSize=256
}

start() { # server -> PID
  case $1 in
    node | gevent) start_peer "$1" "peers-$1" ;;
    tomcat-plain | jetty-plain) WAR=target/plain-echo.war PORT=$port src/bench/server.sh start "${1%-*}" "peers-$1" ;;
    tomcat-war | jetty-war) PORT=$port src/bench/server.sh start "${1%-*}" "peers-$1" ;;
    jetty-war-tuned) PORT=$port src/bench/server.sh start jetty "peers-$1" ${JETTY_TUNED-reservedThreads=2} ;;
    tomcat-run) run_command_tomcat "peers-$1" ;;
    *) echo "unknown server $1" >&2; exit 2 ;;
  esac
}

measure() { # server
  local pid url=http://127.0.0.1:$port/
  pid=$(start "$1")
  if [ "$part" != streams ]; then
    bench "wsecho --url $url --clients $clients --rounds 50 --label warmup --out target/bench-scratch"
    quiet "$1" "$results"
    bench "wsecho --url $url --clients $clients --rounds $rounds --pid $pid --label $1 --out $out" | tee "$out/rows-$1"
  else
    bench "streams --url $url --n $(( n < 2000 ? n : 2000 )) --first 500 --second 500 --label warmup --out target/bench-scratch"
    quiet "$1" "$results"
    bench "streams --url $url --n $n --first 3000 --second 5000 --pid $pid --label $1 --out $out" | tee "$out/rows-$1"
  fi
  { echo; cat "$out/rows-$1"; } >> "$results" # the server's whole row, as the bench tool printed it
  src/bench/server.sh stop "peers-$1" || echo "$1: the server (PID $pid) was gone before it was stopped" | tee -a "$results"
}

row() { grep -E '^\| ' "$out/rows-$1" | tail -n 1; } # the data row of a server's table

case $part in
  echo | tomcat | jetty)
    mvn -q process-test-classes # the yardstick, target/plain-echo.war, is made with the test classes
    case $part in
      tomcat) servers=${SERVERS:-node gevent tomcat-plain tomcat-war} ;;
      jetty) servers=${SERVERS:-node gevent jetty-plain jetty-war jetty-war-tuned} ;;
      *) servers=${SERVERS:-node gevent tomcat-plain tomcat-war jetty-plain jetty-war jetty-war-tuned} ;;
    esac
    for server in $servers; do measure "$server"; done
    # Columns of a wsecho row: 6 msg/s, 7 RTT p50 / p99 / max, NF-1 CPU µs per message.
    cpu() { [ -f "$out/rows-$1" ] && row "$1" | awk -F'|' '{ print $(NF-1) + 0 }' || echo 0; }
    p99() { [ -f "$out/rows-$1" ] && row "$1" | awk -F'|' '{ split($7, r, "/"); print r[2] + 0 }' || echo 0; }
    {
      printf '\n| server | msg/s | RTT ms p50 / p99 / max | CPU µs per message | CPU ratio to gevent | CPU ratio to Node | RTT p99 ratio to Node |\n'
      printf '|---|---|---|---|---|---|---|\n'
      for server in $servers; do
        [ -f "$out/rows-$server" ] || continue
        row "$server" | awk -F'|' -v s="$server" -v g="$(cpu gevent)" -v nd="$(cpu node)" -v np="$(p99 node)" '
          function ratio(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "–" }
          { split($7, r, "/"); printf "| %s | %s | %s | %s | %s | %s | %s |\n", s, $6, $7, $(NF-1),
            ratio($(NF-1), g), ratio($(NF-1), nd), ratio(r[2], np) }'
      done
    } | tee -a "$results"
    ;;
  streams)
    servers=${SERVERS:-node gevent tomcat-run}
    for server in $servers; do measure "$server"; done
    # Columns of a streams row: 4 completed, 5 failed, 6 peak in progress, 8 END lateness, NF-2 RSS, NF-1 CPU s.
    {
      printf '\n| server | streams | completed | held at once (peak) | END late ms p50 / p99 / max | RSS MB (peak) | server CPU s |\n'
      printf '|---|---|---|---|---|---|---|\n'
      for server in $servers; do
        [ -f "$out/rows-$server" ] || continue
        row "$server" | awk -F'|' -v s="$server" '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", s, $3, $4, $6, $8, $(NF-2), $(NF-1) }'
      done
    } | tee -a "$results"
    ;;
  *)
    sed -n '2,21p' "$0"; exit 2 ;;
esac
