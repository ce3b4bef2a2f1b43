package org.asyncprimer.it;

import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * The one deploy/undeploy pair of every {@link OnEveryContainer} test class: the application is deployed on the
 * class's container before its tests and stopped after them (where {@link Deployment#stop()} and the test
 * servers also check that nothing leaked). A class that wants other settings overrides {@link #options()}.
 */
public abstract class Deployed {

    @Parameter
    protected Container container;

    protected Deployment app;

    /** How this class wants its container; the defaults unless overridden. */
    protected ServerOptions options() {
        return ServerOptions.defaults();
    }

    @BeforeParameterizedClassInvocation
    final void deploy() throws Exception {
        app = Deployment.start(container, options());
    }

    @AfterParameterizedClassInvocation
    final void undeploy() throws Exception {
        if (app != null) {
            app.stop();
        }
    }
}
