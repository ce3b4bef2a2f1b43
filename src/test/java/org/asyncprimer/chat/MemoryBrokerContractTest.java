package org.asyncprimer.chat;

import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;

/** The broker contract against the in-memory broker, on the system clock. */
class MemoryBrokerContractTest extends BrokerContract {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @Override
    protected Broker create(ChatSettings settings) {
        return new MemoryBroker(settings, Clock.systemUTC(), scheduler);
    }

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }
}
