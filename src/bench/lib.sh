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
