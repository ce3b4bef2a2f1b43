package org.asyncprimer.it;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the integration tests deploy. Under {@code mvn verify} failsafe sets {@code asyncprimer.war} to the
 * packaged {@code target/async-primer.war}, the artifact users deploy; from an IDE the same classes and web root
 * are taken unpacked ({@code target/classes} and {@code webapp/}). This is the one switch between the two.
 */
public record Webapp(Path war, Path classes, Path webRoot) {

    /** The WAR's web root, named once for the tests. */
    public static final Path WEB_ROOT = Path.of("webapp");

    public static Webapp locate() {
        String war = System.getProperty("asyncprimer.war");
        if (war != null && !war.isBlank()) {
            Path path = Path.of(war).toAbsolutePath();
            if (!Files.isRegularFile(path)) {
                throw new IllegalStateException("asyncprimer.war points at " + path + ", which does not exist");
            }
            return new Webapp(path, null, null);
        }
        return new Webapp(null, Path.of("target/classes").toAbsolutePath(), WEB_ROOT.toAbsolutePath());
    }

    public boolean packaged() {
        return war != null;
    }
}
