package org.asyncprimer.app;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * Creates the application's {@link App} when the context starts and ends it when the context stops, so an
 * undeploy or shutdown leaves no thread and no open response behind.
 */
@WebListener
public final class AppLifecycle implements ServletContextListener {

    /** Context parameter: threads of the shared scheduler (default 2; 1..64). Timers only, so few suffice. */
    static final String SCHEDULER_THREADS = "asyncprimer.schedulerThreads";

    @Override
    public void contextInitialized(ServletContextEvent event) {
        int threads = ContextParams.intParam(event.getServletContext(), SCHEDULER_THREADS, 2, 1, 64);
        new App(threads).attachTo(event.getServletContext());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        App.from(event.getServletContext()).shutdown();
    }
}
