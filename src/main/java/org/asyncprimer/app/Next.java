package org.asyncprimer.app;

/**
 * The answer to {@link AsyncResponse#next()}, "what next?": a chunk to write now, nothing due yet, or the end.
 * A value, so that the question changes nothing and the lifecycle alone acts on the answer.
 */
public sealed interface Next permits Next.Write, Next.Wait, Next.End {

    /** Nothing to write yet: the response calls {@link AsyncResponse#drain()} when something is due. */
    Next WAIT = new Wait();

    /** The response is over: complete it with the status it has. */
    Next END = new End(0, null, 0);

    static Next write(byte[] chunk) {
        return new Write(chunk);
    }

    /** Over, with this status: for a response that wrote nothing yet (204, 502); ignored once committed. */
    static Next end(int status) {
        return new End(status, null, 0);
    }

    /**
     * Over, refused before anything was written: {@code status} with one line of plain text saying why, as every
     * refusal here answers, and {@code Retry-After} when the refusal may pass (0: none); ignored once committed.
     */
    static Next refuse(int status, String line, int retryAfterSeconds) {
        return new End(status, line, retryAfterSeconds);
    }

    record Write(byte[] chunk) implements Next {
    }

    record Wait() implements Next {
    }

    /** {@code line} null: no body of its own; {@code retryAfterSeconds} 0: no Retry-After. */
    record End(int status, String line, int retryAfterSeconds) implements Next {
    }
}
