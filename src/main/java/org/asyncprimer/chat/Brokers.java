package org.asyncprimer.chat;

import jakarta.servlet.ServletContext;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/** Which {@link Broker} the application runs on, chosen once when the chat starts. */
public final class Brokers {

    private Brokers() {
    }

    /**
     * The in-memory broker with the deployer's {@link ChatSettings}; its idle-room sweep runs on
     * {@code scheduler}. The caller owns it: close it before the scheduler stops.
     */
    public static Broker create(ServletContext context, ScheduledExecutorService scheduler) {
        return new MemoryBroker(ChatSettings.from(context), Clock.systemUTC(), scheduler);
    }
}
