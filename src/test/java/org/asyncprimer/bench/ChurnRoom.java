package org.asyncprimer.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.asyncprimer.it.Http;

/**
 * The chat room of the churn's chat clients, a fresh one per run (a client that asks for the whole history gets a
 * short one), and its publisher: the churn publishes a message before each round, so that SSE and socket clients
 * have one to hang up after and long-polls an id to wait after, and while the server settles, so that dead
 * long-polls and streams are written to: that is how a server learns that their clients are gone.
 */
final class ChurnRoom implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final String name = "churn-" + Long.toString(System.currentTimeMillis(), 36);
    private final URI uri;
    // A blocking client starts no thread of its own: an in-process churn counts this JVM's threads.
    private final CloseableHttpClient client = Http.client(1);
    private int published;

    ChurnRoom(URI base) {
        this.uri = base.resolve("chat/" + name);
    }

    /** Publishes one message (without Origin, as a page of the same origin may); returns its id. */
    String publish() throws IOException {
        published++;
        HttpPost post = new HttpPost(uri);
        post.setEntity(new StringEntity("{\"name\":\"churn\",\"text\":\"churn " + published + "\"}",
                ContentType.APPLICATION_JSON));
        return client.execute(post, answer -> {
            String body = EntityUtils.toString(answer.getEntity(), StandardCharsets.UTF_8);
            if (answer.getCode() != 201) {
                throw new IOException("POST " + uri + " answered " + answer.getCode() + ": " + body.trim());
            }
            return JSON.readTree(body).get("id").asText();
        });
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
