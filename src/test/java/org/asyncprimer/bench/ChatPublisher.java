package org.asyncprimer.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The chat scenario's one publisher. First a marker message, whose id every subscriber reads from, so that each
 * must get every message of the run; then messages 1..count at {@code rate} per second, each
 * {@code {"name":"bench","text":"<seq>:<System.nanoTime() as it is sent>"}}. One publish at a time on one
 * keep-alive connection: the server numbers them in the order they were sent, so "in order" has a meaning. It
 * stops at its first failure.
 */
final class ChatPublisher {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final URI uri;
    /** How long each publish took to be answered (the server fans out before it answers), ms. */
    private final List<Double> answerMs = new ArrayList<>();
    private volatile int published;
    private volatile long doneAt;
    private volatile String failure;
    private long firstAt;
    private long lastAt;

    ChatPublisher(URI base, String room) {
        this.uri = base.resolve("/chat/" + room);
    }

    /** Publishes the marker; its id is where every subscriber starts. */
    String marker() throws IOException, InterruptedException {
        HttpResponse<String> answer = post("marker");
        String id = answer.statusCode() == 201 ? ChatSubscriber.field(answer.body(), "id") : null;
        if (id == null) {
            throw new IOException("the marker publish was answered " + answer.statusCode() + ": " + answer.body());
        }
        return id;
    }

    /**
     * {@code leadIn} messages that are not the run's (subscribers ignore them), then messages 1..count: message k
     * of all due at (k - 1) / rate s from now, or at once when running behind.
     */
    void publish(int leadIn, int count, double rate) {
        long start = System.nanoTime();
        try {
            for (int k = 1; k <= leadIn + count; k++) {
                long due = start + (long) ((k - 1) * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // the publisher's own thread: pacing is its whole job
                }
                int seq = k - leadIn;
                long sentAt = System.nanoTime();
                HttpResponse<String> answer = post(seq < 1 ? "lead-in " + k : seq + ":" + sentAt);
                if (answer.statusCode() != 201) {
                    failure = (seq < 1 ? "lead-in " + k : "publish " + seq) + " answered " + answer.statusCode()
                            + ": " + answer.body().trim();
                    return;
                }
                if (seq >= 1) {
                    answerMs.add((System.nanoTime() - sentAt) / 1e6);
                    firstAt = seq == 1 ? sentAt : firstAt;
                    lastAt = sentAt;
                    published = seq;
                }
            }
        } catch (IOException e) {
            failure = "publish " + (published + 1) + ": " + e;
        } catch (InterruptedException e) {
            failure = "publisher interrupted after " + published + " messages";
        } finally {
            done();
        }
    }

    /** Nothing (more) will be published: also when the subscribers never got ready. */
    void done() {
        doneAt = System.nanoTime();
    }

    private HttpResponse<String> post(String text) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"bench\",\"text\":\"" + text + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    int published() {
        return published;
    }

    /** nanoTime when publishing ended (0 while it goes on). */
    long doneAt() {
        return doneAt;
    }

    String failure() {
        return failure;
    }

    /** Messages per second actually published, first to last. */
    double achievedRate() {
        return published < 2 ? Double.NaN : (published - 1) / ((lastAt - firstAt) / 1e9);
    }

    double[] answerMs() {
        return answerMs.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
