package org.asyncprimer.chat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Recorder} that holds the thread delivering its first message inside the callback until the test
 * releases it (or {@code atMost} passes): it stands for a fan-out that is busy writing. It never asserts on that
 * thread; the test asserts on its own.
 */
final class HeldRecorder extends Recorder {

    final CountDownLatch inside = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private final Duration atMost;

    HeldRecorder(Duration atMost) {
        this.atMost = atMost;
    }

    @Override
    public boolean onMessage(Message message) {
        inside.countDown();
        try {
            release.await(atMost.toMillis(), TimeUnit.MILLISECONDS); // the test releases it, pass or fail
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return super.onMessage(message);
    }
}
