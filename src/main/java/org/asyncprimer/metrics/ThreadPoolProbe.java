package org.asyncprimer.metrics;

import java.lang.management.ManagementFactory;
import java.util.Set;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The container's request thread pool, busy threads against its size: the seed's limit (20 threads) made visible.
 * The Servlet API does not tell, so it is read from JMX where the container publishes it: Tomcat's
 * {@code Catalina:type=ThreadPool,name="http-nio-..."} (the connector whose {@code localPort} took this request),
 * Jetty's {@code QueuedThreadPool} when Jetty's JMX module is on. Anything else is reported as unknown.
 *
 * <p>({@code javax.management} is the JDK's own: the javax WAR's renaming leaves it alone.)
 */
final class ThreadPoolProbe {

    /** Busy and maximum request threads, or nulls when the container does not say. */
    record Threads(Integer busy, Integer max, String source) {
        static final Threads UNKNOWN = new Threads(null, null, "unknown");
    }

    private static final String TOMCAT_POOLS = "*:type=ThreadPool,*";
    private static final String JETTY_POOLS = "org.eclipse.jetty.util.thread:type=queuedthreadpool,*";

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final int localPort;
    /** Found once, then read every second; touched by one timer thread at a time. */
    private ObjectName tomcat;
    private ObjectName jetty;

    ThreadPoolProbe(int localPort) {
        this.localPort = localPort;
    }

    Threads read() {
        try {
            if (tomcat == null && jetty == null) {
                find();
            }
            if (tomcat != null) {
                int busy = (Integer) server.getAttribute(tomcat, "currentThreadsBusy");
                int max = (Integer) server.getAttribute(tomcat, "maxThreads");
                // -1: the connector uses a shared <Executor>, whose figures are not the connector's.
                return busy < 0 ? Threads.UNKNOWN : new Threads(busy, max, "Tomcat JMX " + tomcat);
            }
            if (jetty != null) {
                return new Threads((Integer) server.getAttribute(jetty, "busyThreads"),
                        (Integer) server.getAttribute(jetty, "maxThreads"), "Jetty JMX " + jetty);
            }
        } catch (JMException | RuntimeException gone) {
            // The MBean went away (a connector stopped) or is not what we took it for: look again next time.
            tomcat = null;
            jetty = null;
        }
        return Threads.UNKNOWN;
    }

    private Object attribute(ObjectName name, String attribute) {
        try {
            return server.getAttribute(name, attribute);
        } catch (JMException | RuntimeException notThisOne) {
            return null; // another kind of pool, or one that went away
        }
    }

    private void find() throws JMException {
        for (ObjectName pool : server.queryNames(new ObjectName(TOMCAT_POOLS), null)) {
            if (Integer.valueOf(localPort).equals(attribute(pool, "localPort"))) {
                tomcat = pool;
                return;
            }
        }
        Set<ObjectName> jettyPools = server.queryNames(new ObjectName(JETTY_POOLS), null);
        if (jettyPools.size() == 1) { // more than one server in this JVM: no telling which is ours
            jetty = jettyPools.iterator().next();
        }
    }
}
