#!/usr/bin/env bash
# Starts or stops a standalone server with target/async-primer.war (or WAR) as its root context, for the benchmark.
#
#   src/bench/server.sh start tomcat NAME [connector-attribute=value ...]   # prints the server's PID
#   src/bench/server.sh start jetty NAME [HttpConfiguration-size=bytes ...]
#   src/bench/server.sh stop NAME
#
# Tomcat is the distribution `mvn verify` installs for the smoke test (target/cargo/installs); its connector
# gets maxThreads=20, maxConnections=20000, h2c and the attributes given. Jetty 12.1.14 runs embedded in its own
# process (see start_jetty) with 20 request threads. Environment: WAR (target/async-primer.war; src/bench/echo.sh
# gives target/plain-echo.war, its yardstick), PORT (8080), HEAP (-Xms and -Xmx, default 2g), JVM_OPTS (more JVM
# flags, after those: a later -Xms wins, e.g. JVM_OPTS=-Xms64m; Tomcat's own JAVA_OPTS, left to catalina.sh, comes
# before both and reaches Tomcat only), JAVA_HOME (the JDK to run on; 21+ for
# useVirtualThreads=true), CONTEXT_PARAMS (context parameters, space-separated name=value, e.g.
# "asyncprimer.metrics.enabled=false" or "asyncprimer.chat.redis=redis://127.0.0.1:6379": Tomcat's are written to
# conf/Catalina/localhost/ROOT.xml, Jetty's handed to ServeWar). Each server lives in target/bench-servers/NAME
# and listens on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD/target/bench-servers
port=${PORT:-8080}
heap=${HEAP:-2g}
war=$(readlink -f "${WAR:-target/async-primer.war}")
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}

start_tomcat() {
  local name=$1; shift
  local home; home=$(ls -d "$PWD"/target/cargo/installs/tomcat-*/apache-tomcat-* | head -n 1)
  local base=$root/$name
  rm -rf "$base"; mkdir -p "$base"/{logs,temp,work,webapps}
  cp -r "$home/conf" "$base/"
  cp "$war" "$base/webapps/ROOT.war"
  if [ -n "${CONTEXT_PARAMS:-}" ]; then
    mkdir -p "$base/conf/Catalina/localhost"
    { echo '<Context>'
      for param in $CONTEXT_PARAMS; do
        echo "  <Parameter name=\"${param%%=*}\" value=\"${param#*=}\" override=\"false\"/>"
      done
      echo '</Context>'; } > "$base/conf/Catalina/localhost/ROOT.xml"
  fi
  python3 - "$base/conf/server.xml" "$port" "$@" <<'PY'
import re, sys
path, port, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
xml = open(path).read()
attrs = " ".join(f'{a.split("=", 1)[0]}="{a.split("=", 1)[1]}"' for a in extra)
# h2c (HTTP/2 prior knowledge and Upgrade) as in the run command, for the h2streams scenario.
connector = (f'<Connector port="{port}" address="127.0.0.1" protocol="HTTP/1.1" connectionTimeout="20000" '
             f'maxThreads="20" maxConnections="20000" acceptCount="1000" {attrs}>'
             f'<UpgradeProtocol className="org.apache.coyote.http2.Http2Protocol"/></Connector>')
xml = re.sub(r'<Connector port="8080" protocol="HTTP/1.1"[^>]*/>', connector, xml, count=1)
xml = re.sub(r'<Server port="8005"', '<Server port="-1"', xml)
open(path, "w").write(xml)
PY
  CATALINA_BASE=$base CATALINA_PID=$base/pid JAVA_HOME=$java_home \
    CATALINA_OPTS="-Xms$heap -Xmx$heap ${JVM_OPTS:-}" bash "$home/bin/catalina.sh" start >/dev/null
  wait_ready "$base"
}

start_jetty() {
  # Jetty's distribution (jetty-home) is not served by the registries here, so Jetty 12.1.14 runs embedded in
  # a process of its own (ServeWar, the same JettyServer the integration tests use) with the packaged WAR.
  local name=$1; shift
  local base=$root/$name
  rm -rf "$base"; mkdir -p "$base"
  mvn -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$base/cp.txt" >/dev/null
  (nohup "$java_home/bin/java" -Xms"$heap" -Xmx"$heap" ${JVM_OPTS:-} -Dasyncprimer.war="$war" \
     -Dasyncprimer.contextParams="${CONTEXT_PARAMS:-}" -cp "$PWD/target/test-classes:$(cat "$base/cp.txt")" org.asyncprimer.bench.ServeWar JETTY_12 "$port" 20 "$@" \
     > "$base/jetty.log" 2>&1 & echo $! > "$base/pid")
  wait_ready "$base"
}

wait_ready() {
  for _ in $(seq 1 120); do
    if curl -fs "http://127.0.0.1:$port/status" >/dev/null 2>&1; then
      cat "$1/pid"; return 0
    fi
    sleep 0.5
  done
  echo "the server in $1 did not come up" >&2; exit 1
}

case "${1:-}" in
  start)
    kind=$2; name=$3; shift 3
    "start_$kind" "$name" "$@" ;;
  stop)
    pid=$(cat "$root/$2/pid")
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.5; done
    kill -9 "$pid" ;;
  *)
    sed -n '2,13p' "$0"; exit 2 ;;
esac
