package org.asyncprimer.bench;

import java.nio.ByteBuffer;

/** The input buffer a benchmark client ({@link WsSession}, {@link WsSubscriber}, {@link HttpReader}) grows. */
final class ReadBuffers {

    private ReadBuffers() {
    }

    /**
     * {@code in} (in write mode) with {@code data} appended, flipped for reading: the same buffer, or a bigger copy
     * when it had no room. The reader compacts it when done.
     */
    static ByteBuffer appended(ByteBuffer in, ByteBuffer data) {
        ByteBuffer into = in;
        if (into.remaining() < data.remaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(in.capacity() * 2, in.position() + data.remaining()));
            in.flip();
            into = bigger.put(in);
        }
        return into.put(data).flip();
    }
}
