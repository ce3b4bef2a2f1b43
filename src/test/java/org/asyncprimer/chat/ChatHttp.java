package org.asyncprimer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.asyncprimer.it.Deployment;

/** The chat over plain HTTP for the tests: publishing, any POST, and a long-poll read line by line. */
final class ChatHttp {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** A whole answer. */
    record Reply(int status, String body, HttpResponse<String> response) {
        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        /** The body's lines, each a JSON document (NDJSON). */
        List<JsonNode> lines() throws IOException {
            List<JsonNode> lines = new ArrayList<>();
            for (String line : body.split("\n")) {
                if (!line.isBlank()) {
                    lines.add(JSON.readTree(line));
                }
            }
            return lines;
        }

        List<String> ids() throws IOException {
            return lines().stream().map(line -> line.path("id").asText()).toList();
        }
    }

    private ChatHttp() {
    }

    static Reply post(URI uri, String contentType, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        return send(request, contentType, headers);
    }

    /** A body of unknown length: sent with {@code Transfer-Encoding: chunked}. */
    static Reply postChunked(URI uri, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
        return send(request, contentType);
    }

    static Reply get(URI uri, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(150)).GET();
        return send(request, null, headers);
    }

    static Reply send(String method, URI uri, String... headers) throws Exception {
        return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody()), null, headers);
    }

    private static Reply send(HttpRequest.Builder request, String contentType, String... headers) throws Exception {
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> response = CLIENT.send(request.build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Reply(response.statusCode(), response.body(), response);
    }

    /** Publishes as a form, as {@code curl -d} does; returns the new message's id. */
    static String publish(Deployment app, String room, String name, String text) throws Exception {
        Reply reply = post(app.uri("/chat/" + room), "application/x-www-form-urlencoded",
                "name=" + URLEncoder.encode(name, StandardCharsets.UTF_8)
                        + "&text=" + URLEncoder.encode(text, StandardCharsets.UTF_8));
        assertEquals(201, reply.status(), reply.body());
        return JSON.readTree(reply.body()).get("id").asText();
    }

    /** Publishes as JSON (a long text of emoji fits here: as a form each would take 12 bytes). */
    static String publishJson(Deployment app, String room, String name, String text) throws Exception {
        Reply reply = post(app.uri("/chat/" + room), "application/json",
                JSON.createObjectNode().put("name", name).put("text", text).toString());
        assertEquals(201, reply.status(), reply.body());
        return JSON.readTree(reply.body()).get("id").asText();
    }

    /** Publishes {@code count} messages "1".."count" and returns their ids in order. */
    static List<String> publishMany(Deployment app, String room, int count) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ids.add(publish(app, room, "alice", Integer.toString(i)));
        }
        return ids;
    }

    static Reply poll(Deployment app, String room, String query) throws Exception {
        return get(app.uri("/chat/" + room + (query.isEmpty() ? "" : "?" + query)));
    }
}
