package org.asyncprimer.chat;

import jakarta.servlet.ServletContext;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;
import org.asyncprimer.chat.redis.RedisBroker;

/**
 * Chooses the chat's broker when the context starts. {@code asyncprimer.chat.redis} names a Redis server
 * ({@code redis://host:port[/db]}) for every node of a cluster to share: as a context parameter, else the system
 * property of the same name ({@code mvn package cargo:run -Drun.redis=redis://127.0.0.1:6379} sets it), else the
 * environment variable {@code ASYNCPRIMER_CHAT_REDIS} (the Docker setup's). Unset, the rooms live in this JVM.
 */
public final class Brokers {

    public static final String REDIS = "asyncprimer.chat.redis";
    public static final String REDIS_ENV = "ASYNCPRIMER_CHAT_REDIS";

    private Brokers() {
    }

    /**
     * The broker for this context, with the deployer's {@link ChatSettings}. The caller owns it: close it before
     * the scheduler stops.
     */
    public static Broker create(ServletContext context, ScheduledExecutorService scheduler) {
        return create(context, scheduler, ChatSettings.from(context));
    }

    /**
     * {@link RedisBroker} when a Redis URL is set (it connects in the background: the context deploys even when
     * Redis is down), otherwise {@link MemoryBroker}, whose idle-room sweep runs on {@code scheduler}.
     */
    public static Broker create(ServletContext context, ScheduledExecutorService scheduler, ChatSettings settings) {
        String redis = redisUrl(context::getInitParameter, System::getProperty, System::getenv);
        return redis == null ? new MemoryBroker(settings, Clock.systemUTC(), scheduler)
                : RedisBroker.start(redis, settings);
    }

    /** The first non-blank of the context parameter, the system property and the environment variable. */
    static String redisUrl(UnaryOperator<String> contextParams, UnaryOperator<String> properties,
                           UnaryOperator<String> environment) {
        for (String value : new String[] {contextParams.apply(REDIS), properties.apply(REDIS),
                environment.apply(REDIS_ENV)}) {
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return null;
    }
}
