package org.asyncprimer.chat;

/** A message as a client submits it, already checked by {@link ChatInput}: who says it and what. */
public record Draft(String name, String text) {
}
