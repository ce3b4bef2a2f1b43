package org.asyncprimer.chat;

import jakarta.servlet.ServletContext;
import java.time.Duration;
import org.asyncprimer.app.ContextParams;

/**
 * The deployer's limits for the chat, read once from context parameters:
 * <ul>
 * <li>{@code asyncprimer.chat.history}: messages each room keeps for clients that resume (default 1000,
 *     1..100000); older ones are dropped, and a client resuming before them gets the gap marker;
 * <li>{@code asyncprimer.chat.maxRooms}: rooms held at once (default 10000, 1..1000000); a subscription that
 *     would open one more is answered 503, and so is a publish to the in-memory broker (with Redis a publish
 *     opens no room on the node, and is never refused for it);
 * <li>{@code asyncprimer.chat.maxRetainedBytes}: the history of all rooms together, in estimated heap bytes
 *     (default 67108864 = 64 MiB, 65536..2147483647); beyond it the oldest messages of any room are dropped
 *     first, so many rooms of long messages cannot fill the heap, and publishing never fails for it;
 * <li>{@code asyncprimer.chat.roomIdleMs}: a room with no publish and no subscriber for this long is dropped
 *     with its history (default 3600000 = one hour, 1000..604800000);
 * <li>{@code asyncprimer.chat.heartbeatMs}: how often an idle Server-Sent Events stream gets a {@code : ping}
 *     comment, so proxies do not close it (default 15000, 10..3600000).
 * </ul>
 */
public record ChatSettings(int history, int maxRooms, long maxRetainedBytes, Duration roomIdle, Duration heartbeat) {

    /** An SSE stream's heartbeat unless the context says otherwise: a proxy in front must wait longer. */
    static final int DEFAULT_HEARTBEAT_MS = 15_000;

    public static ChatSettings from(ServletContext context) {
        return new ChatSettings(
                ContextParams.intParam(context, "asyncprimer.chat.history", 1000, 1, 100_000),
                ContextParams.intParam(context, "asyncprimer.chat.maxRooms", 10_000, 1, 1_000_000),
                ContextParams.intParam(context, "asyncprimer.chat.maxRetainedBytes", 64 << 20, 65_536,
                        Integer.MAX_VALUE),
                Duration.ofMillis(ContextParams.intParam(context, "asyncprimer.chat.roomIdleMs",
                        3_600_000, 1000, 604_800_000)),
                Duration.ofMillis(ContextParams.intParam(context, "asyncprimer.chat.heartbeatMs",
                        DEFAULT_HEARTBEAT_MS, 10, 3_600_000)));
    }

    /** How often idle rooms are looked for: every quarter of the idle time, at least once a minute. */
    Duration sweepEvery() {
        Duration quarter = roomIdle.dividedBy(4);
        return quarter.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : quarter;
    }
}
