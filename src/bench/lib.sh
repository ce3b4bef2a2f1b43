# Sourced by the benchmark scripts (chat.sh, nodes.sh, metering.sh), from the repository's root: the run command's
# heap, JVM options and connector, read from pom.xml (run.heap, run.initialHeap, run.jvmargs, and cargo's
# xmlReplacements of the plain connector), so that a benchmark's Tomcat runs as `mvn package cargo:run` does.

# A property of pom.xml's <properties>.
pom_property() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" pom.xml; }

heap=$(pom_property run.heap)
initial_heap=$(pom_property run.initialHeap)
jvmargs=$(pom_property run.jvmargs)
# The plain connector's attributes as name=value words for src/bench/server.sh, less those server.sh sets itself
# (threads, connections, backlog, address).
connector=$(python3 - <<'PY'
import xml.etree.ElementTree as ET
ns = {"m": "http://maven.apache.org/POM/4.0.0"}
own = {"maxThreads", "maxConnections", "acceptCount", "address"}
for r in ET.parse("pom.xml").getroot().iter("{%s}xmlReplacement" % ns["m"]):
    if r.findtext("m:xpathExpression", namespaces=ns) == "//Server/Service/Connector[not(@SSLEnabled)]":
        name = r.findtext("m:attributeName", namespaces=ns)
        if name not in own:
            print(f'{name}={r.findtext("m:value", namespaces=ns)}')
PY
)

# Waits for a quiet machine before a measured run: up to WAIT_TRIES waits of WAIT_SECONDS for the 1-minute load
# to drop below MAX_LOAD with no other benchmark or test JVM running (a script sets its own defaults for the three
# before calling), then notes the load in FILE under LABEL either way. Without a FILE it only waits.
quiet() { # [label file]
  local load
  for _ in $(seq 1 "$WAIT_TRIES"); do
    load=$(cut -d ' ' -f 1 /proc/loadavg)
    if awk -v l="$load" -v m="$MAX_LOAD" 'BEGIN { exit !(l < m) }' \
        && ! pgrep -af 'surefire|failsafe|-Dbench=' | grep -qv '^[0-9]* flock '; then
      # no test JVM or other benchmark's client running (one still waiting for a lock under flock does not count)
      break
    fi
    echo "  waiting for a quiet machine (load $load)"; sleep "$WAIT_SECONDS"
  done
  if [ -n "${2:-}" ]; then
    printf '\n%s, 1-minute load before the run: %s\n' "$1" "$(cut -d ' ' -f 1 /proc/loadavg)" >> "$2"
  fi
}

# Waits until the node at PORT holds no chat subscriber (/status "chatSubscribers":0), at most 60 s from START (a
# $SECONDS value; default now), and notes how long it took under LABEL in FILE. A warm-up's SSE streams outlive its
# client: the server finds a stream gone only when a write to it fails, and the first write after the client's close
# still succeeds. A quiet stream pings at the second tick of its half-heartbeat timer after its last write, 7.5-15 s
# later, and the failing ping comes a heartbeat after that: 22.5-30 s after the client left (28-30 s measured). A run
# that began sooner had those 10 000 failing writes, their teardown and their heap among its first messages: the runs
# of chat.sh that started with no wait after the warm-up (3 of 12 on 2026-11-28) took 21.6-38.6 s of server CPU
# against 14.0-18.4 and had p99 329-681 ms against 238-404 (src/bench/results/warmup-2026-11-28.md).
subscribers_gone() { # port label file [start]
  local start=${4:-$SECONDS}
  while (( SECONDS - start < 60 )); do
    if status_has "$1" '"chatSubscribers":0[,}]'; then
      printf '\n%s: the warm-up'"'"'s subscribers were gone from the server on %s %d s after the warm-up\n' "$2" "$1" \
        $((SECONDS - start)) >> "$3"
      return 0
    fi
    sleep 0.25
  done
  printf '\n%s: the server on %s %s 60 s after the warm-up\n' "$2" "$1" \
    "$(if status_has "$1" .; then echo 'still had chat subscribers'; else echo 'did not answer /status'; fi)" \
    | tee -a "$3"
}

# True when the node at PORT answers /status (within 2 s) with JSON that matches the grep PATTERN.
status_has() { # port pattern
  local body
  body=$(curl -fs --max-time 2 "http://127.0.0.1:$1/status") && grep -q "$2" <<< "$body"
}

# CPU ticks (1/100 s) the JIT compiler threads of PID have used so far: before and after a measured run, the
# difference says whether its warm-up left the JIT still compiling inside the run.
jit_ticks() { # pid
  local total=0 task
  for task in /proc/"$1"/task/*; do
    if grep -q '^C[12] CompilerThre' "$task/comm" 2>/dev/null; then
      total=$((total + $(sed 's/^.*) //' "$task/stat" | awk '{ print $12 + $13 }')))
    fi
  done
  echo "$total"
}

# The CPU ticks of PID (all its threads) so far.
cpu_ticks() { # pid
  sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
