package org.asyncprimer.app;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import org.asyncprimer.metrics.Metering;
import org.asyncprimer.metrics.MetricsSettings;

/**
 * Creates the application's {@link App} when the context starts and ends it when the context stops, so an
 * undeploy or shutdown leaves no thread and no open response behind.
 */
@WebListener
public final class AppLifecycle implements ServletContextListener {

    @Override
    public void contextInitialized(ServletContextEvent event) {
        AppSettings settings = AppSettings.from(event.getServletContext());
        MetricsSettings metrics = MetricsSettings.from(event.getServletContext());
        new App(settings, Metering.start(metrics)).attachTo(event.getServletContext());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        App app = App.attachedTo(event.getServletContext());
        if (app == null) {
            // contextInitialized failed (a bad context parameter, say): there is nothing to stop, and throwing here
            // would only bury the first failure under a second one.
            event.getServletContext().log("async-primer: no application to stop (its start failed)");
            return;
        }
        app.shutdown();
    }
}
