package org.asyncprimer.app;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The asynchronous responses of one kind that have started and not yet finished. Its counts are what the
 * tests and {@code /status} read to prove that nothing leaks; at shutdown every one is finished.
 */
public final class OpenResponses {

    /** One open response. */
    public interface Open {
        /** Ends the response; idempotent, callable from any thread. */
        void finish();

        /** Chunks produced and not yet written. */
        default int queued() {
            return 0;
        }

        /** True while its producer is held back because the client reads slower than it produces. */
        default boolean paused() {
            return false;
        }
    }

    private final Set<Open> open = ConcurrentHashMap.newKeySet();

    public void add(Open response) {
        open.add(response);
    }

    public void remove(Open response) {
        open.remove(response);
    }

    public int size() {
        return open.size();
    }

    public int queued() {
        return open.stream().mapToInt(Open::queued).sum();
    }

    public long paused() {
        return open.stream().filter(Open::paused).count();
    }

    void finishAll() {
        open.forEach(Open::finish);
    }
}
