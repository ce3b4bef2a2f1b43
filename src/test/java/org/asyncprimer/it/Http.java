package org.asyncprimer.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;

/** Apache HttpClient 5 for the tests: whole responses, and bodies read line by line as they arrive. */
public final class Http {

    /** A whole response. */
    public record Response(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
        }
    }

    /** A line of a streamed body and when it arrived, in ms after the request was sent. */
    public record Line(String text, long atMillis) {
    }

    /** A streamed response: status, headers and its lines with arrival times. */
    public record Streamed(int status, Map<String, String> headers, List<Line> lines) {
        public List<String> texts() {
            return lines.stream().map(Line::text).toList();
        }

        public String header(String name) {
            return new Response(status, headers, "").header(name);
        }
    }

    private static final CloseableHttpClient CLIENT = client(50);

    private Http() {
    }

    /** A client with room for {@code connections} concurrent requests and a 60 s read timeout. */
    public static CloseableHttpClient client(int connections) {
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(connections).setMaxConnPerRoute(connections).build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(Timeout.of(60, TimeUnit.SECONDS)).build())
                .disableAutomaticRetries()
                .build();
    }

    public static Response get(URI uri, String... headerPairs) throws IOException {
        return send("GET", uri, headerPairs);
    }

    public static Response send(String method, URI uri, String... headerPairs) throws IOException {
        HttpUriRequestBase request = new HttpUriRequestBase(method, uri);
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.addHeader(headerPairs[i], headerPairs[i + 1]);
        }
        return CLIENT.execute(request, response -> {
            HttpEntity entity = response.getEntity();
            String body = entity == null ? "" : EntityUtils.toString(entity, StandardCharsets.UTF_8);
            return new Response(response.getCode(), headers(response.getHeaders()), body);
        });
    }

    public static Streamed stream(URI uri, String... headerPairs) throws IOException {
        return stream(CLIENT, uri, headerPairs);
    }

    /** Reads the body line by line, stamping each line with its arrival time. */
    public static Streamed stream(CloseableHttpClient client, URI uri, String... headerPairs) throws IOException {
        HttpUriRequestBase request = new HttpUriRequestBase("GET", uri);
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.addHeader(headerPairs[i], headerPairs[i + 1]);
        }
        long sent = System.nanoTime();
        return client.execute(request, response -> {
            List<Line> lines = new ArrayList<>();
            HttpEntity entity = response.getEntity();
            if (entity != null) {
                try (BufferedReader reader = new BufferedReader(
                        new InputStreamReader(entity.getContent(), StandardCharsets.UTF_8))) {
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                        lines.add(new Line(line, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent)));
                    }
                }
            }
            return new Streamed(response.getCode(), headers(response.getHeaders()), lines);
        });
    }

    /** Sends {@code count} GETs at once, each on a connection and a client thread of its own; waits for all. */
    public static List<Streamed> streamConcurrently(URI uri, int count) throws Exception {
        try (CloseableHttpClient client = client(count)) {
            ExecutorService clients = Executors.newFixedThreadPool(count);
            try {
                List<Future<Streamed>> pending = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    pending.add(clients.submit(() -> stream(client, uri)));
                }
                List<Streamed> responses = new ArrayList<>();
                for (Future<Streamed> response : pending) {
                    responses.add(response.get(60, TimeUnit.SECONDS));
                }
                return responses;
            } finally {
                clients.shutdownNow();
            }
        }
    }

    private static Map<String, String> headers(Header[] headers) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (Header header : headers) {
            map.merge(header.getName(), header.getValue(), (a, b) -> a + ", " + b);
        }
        return map;
    }
}
