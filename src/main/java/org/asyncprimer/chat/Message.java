package org.asyncprimer.chat;

import java.time.Instant;

/**
 * One chat message as the broker stores it and every transport sends it, encoded by {@link ChatJson#message}:
 * {@code {"id":"1795705200000-0","room":"lobby","name":"alice","text":"hi","at":"2026-11-26T15:00:00.000Z"}}.
 */
public record Message(MessageId id, String room, String name, String text, Instant at) {
}
