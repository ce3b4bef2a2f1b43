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

    @Override
    public void contextInitialized(ServletContextEvent event) {
        new App(AppSettings.from(event.getServletContext())).attachTo(event.getServletContext());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        App.from(event.getServletContext()).shutdown();
    }
}
