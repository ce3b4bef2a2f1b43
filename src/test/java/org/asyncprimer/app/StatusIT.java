package org.asyncprimer.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.asyncprimer.it.Deployed;
import org.asyncprimer.it.GetOnlyAnswers;
import org.asyncprimer.it.Http;
import org.asyncprimer.it.OnEveryContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** /status is read-only, like every other endpoint that is not the chat's publish. */
@OnEveryContainer
class StatusIT extends Deployed {

    @Test
    void answersGetAndHeadWithJson() throws Exception {
        Http.Response get = Http.get(app.uri("/status"));
        Http.Response head = Http.send("HEAD", app.uri("/status"));

        assertEquals(200, get.status());
        assertTrue(get.body().startsWith("{"), get.body());
        assertEquals(200, head.status());
        assertEquals("", head.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH", "BREW"})
    void refusesOtherMethods(String method) throws Exception {
        GetOnlyAnswers.assertRefused(app.uri("/status"), method);
    }

    @Test
    void answersOptionsWithoutTrace() throws Exception {
        GetOnlyAnswers.assertOptions(app.uri("/status"));
    }
}
