package org.asyncprimer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;

/** What an endpoint that takes only GET and HEAD (the app's GetOnlyServlet) answers to the other methods. */
public final class GetOnlyAnswers {

    public static final String ALLOW = "GET, HEAD, OPTIONS";

    private GetOnlyAnswers() {
    }

    /** Any other method, PATCH and unknown ones included: 405 naming what is allowed (RFC 9110 15.5.6). */
    public static void assertRefused(URI uri, String method) throws Exception {
        Http.Response response = Http.send(method, uri);

        assertEquals(405, response.status(), method);
        assertEquals(ALLOW, response.header("Allow"), "RFC 9110 15.5.6: a 405 names what is allowed");
    }

    /** OPTIONS: 200 with the same list, which does not offer TRACE. */
    public static void assertOptions(URI uri) throws Exception {
        Http.Response response = Http.send("OPTIONS", uri);

        assertEquals(200, response.status());
        assertEquals(ALLOW, response.header("Allow"));
    }
}
