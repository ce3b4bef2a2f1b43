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
