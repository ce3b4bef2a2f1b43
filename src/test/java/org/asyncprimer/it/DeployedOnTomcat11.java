package org.asyncprimer.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The one deploy/undeploy pair of a test class that needs a single deployment on embedded Tomcat 11 rather than
 * the container matrix of {@link Deployed}: the browser tests (one browser is enough to show the pages work) and
 * the benchmark's smoke test. {@link Deployment#stop()} checks that nothing leaked, as for every other class.
 */
public abstract class DeployedOnTomcat11 {

    /** The application, deployed before the class's tests and stopped after them. */
    protected static Deployment app;

    @BeforeAll
    static void deploy() throws Exception {
        Container.assumeRunning(Container.TOMCAT_11);
        app = Deployment.start(Container.TOMCAT_11);
    }

    @AfterAll
    static void undeploy() throws Exception {
        if (app != null) {
            app.stop();
            app = null;
        }
    }
}
