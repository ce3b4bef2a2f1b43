#!/usr/bin/env bash
# The seed's contrast in one run: /stream/blocking on 20 platform threads, /stream on 20 platform threads, and
# /stream/blocking on virtual threads (JDK 21+), each at N = 100, 1000 and 10000 with the seed's timings, on the
# standalone Tomcat that `mvn verify` installs. Results: target/bench/results.md, target/bench/contrast-n*.svg.
#
#   src/bench/contrast.sh [N ...]          # default: 100 1000 10000; needs `mvn verify` (or package + the
#                                          # cargo install) first, and a JDK 21+ in VIRTUAL_JAVA_HOME
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=${*:-100 1000 10000}
virtual_java=${VIRTUAL_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
bench() { mvn -q exec:java -Dbench="$*" | grep -E '^\||failures'; }

mvn -q test-compile
run_mode() { # label server-kind path [env...]
  local label=$1 path=$2; shift 2
  for n in $sizes; do
    # A fresh server per run: a blocking server is still busy with the abandoned requests of the last one.
    pid=$(env "$@" src/bench/server.sh start tomcat "$label" ${ATTRS:-})
    # Warm-up: short streams, few enough that 20 blocking threads finish them (200 x 0.6 s / 20 = 6 s).
    bench "streams --url http://127.0.0.1:8080/ --path $path --n ${WARMUP:-2000} --first 300 --second 300 --deadline 30 --label warmup --out target/bench-scratch" >/dev/null || true
    bench "streams --url http://127.0.0.1:8080/ --path $path --n $n --pid $pid --deadline 60 --label $label-n$n" || true
    src/bench/server.sh stop "$label"
  done
}
WARMUP=200 run_mode blocking-20 /stream/blocking
run_mode async-20 /stream
ATTRS=useVirtualThreads=true run_mode blocking-virtual /stream/blocking JAVA_HOME="$virtual_java"
for n in $sizes; do
  mvn -q exec:java -Dbench="chart --out target/bench/contrast-n$n.svg target/bench/blocking-20-n$n.csv target/bench/async-20-n$n.csv target/bench/blocking-virtual-n$n.csv"
done
