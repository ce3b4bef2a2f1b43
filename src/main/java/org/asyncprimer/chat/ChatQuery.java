package org.asyncprimer.chat;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import org.asyncprimer.app.QueryParams;
import org.asyncprimer.app.QueryParams.BadParameter;

/**
 * What a client that reads a room asks for: the messages after {@code since} (for Server-Sent Events the
 * {@code Last-Event-ID} header, which an {@code EventSource} sends when it reconnects, takes precedence unless it is
 * empty or blank; neither: only messages published from now on), and for a long-poll at most {@code ?limit=}
 * messages (default 100, 1..1000), answering 204 when none has come within {@code ?timeout=} ms (default 25000,
 * 1..120000).
 */
record ChatQuery(MessageId since, Duration timeout, int limit) {

    /** The longest a long-poll may wait for a message: a proxy in front must wait longer (docker/nginx.conf). */
    static final int MAX_TIMEOUT_MS = 120_000;

    static ChatQuery forPoll(HttpServletRequest request) throws BadParameter {
        return new ChatQuery(id("since", QueryParams.once(request, "since")),
                Duration.ofMillis(QueryParams.bounded(request, "timeout", 25_000, 1, MAX_TIMEOUT_MS)),
                QueryParams.bounded(request, "limit", 100, 1, 1000));
    }

    static ChatQuery forStream(HttpServletRequest request) throws BadParameter {
        // An empty header is no id: some clients and proxies send it so, and it must not turn a valid ?since= into 400.
        String lastEventId = request.getHeader("Last-Event-ID");
        MessageId since = lastEventId != null && !lastEventId.isBlank() ? id("Last-Event-ID", lastEventId)
                : id("since", QueryParams.once(request, "since"));
        return new ChatQuery(since, Duration.ZERO, 0);
    }

    private static MessageId id(String what, String raw) throws BadParameter {
        try {
            return ChatInput.id(what, raw);
        } catch (ChatInput.Invalid invalid) {
            throw new BadParameter(invalid.getMessage());
        }
    }
}
