package org.asyncprimer.app;

/**
 * The answer to {@link AsyncResponse#next()}, "what next?": a chunk to write now, nothing due yet, or the end.
 * A value, so that the question changes nothing and the lifecycle alone acts on the answer.
 */
public sealed interface Next permits Next.Write, Next.Wait, Next.End {

    /** Nothing to write yet: the response calls {@link AsyncResponse#drain()} when something is due. */
    Next WAIT = new Wait();

    /** The response is over: complete it with the status it has. */
    Next END = new End(0);

    static Next write(byte[] chunk) {
        return new Write(chunk);
    }

    /** Over, with this status: for a response that wrote nothing yet (204, 502); ignored once committed. */
    static Next end(int status) {
        return new End(status);
    }

    record Write(byte[] chunk) implements Next {
    }

    record Wait() implements Next {
    }

    record End(int status) implements Next {
    }
}
