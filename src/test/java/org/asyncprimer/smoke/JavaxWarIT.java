package org.asyncprimer.smoke;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The javax WAR is the jakarta WAR with its servlet and WebSocket references renamed and nothing else: the same
 * entries, the same pages and libraries byte for byte, and no class that still names a jakarta package (a
 * Servlet 3.1 container could not load it). Runs in the pom's javax failsafe execution, which names both WARs.
 */
class JavaxWarIT {

    /** Written by the packaging tools, not by us (the transformer orders the manifest's lines differently). */
    private static final List<String> TOOL_ENTRIES = List.of("META-INF/MANIFEST.MF", "META-INF/maven/");

    private static Map<String, byte[]> jakarta;
    private static Map<String, byte[]> javax;

    @BeforeAll
    static void read() throws IOException {
        jakarta = entries(war("asyncprimer.jakarta.war"));
        javax = entries(war("asyncprimer.war"));
    }

    @Test
    void holdsTheSameEntries() {
        assertEquals(jakarta.keySet(), javax.keySet());
    }

    @Test
    void changesOnlyClasses() throws IOException {
        for (Map.Entry<String, byte[]> entry : jakarta.entrySet()) {
            String name = entry.getKey();
            if (name.endsWith(".jar") && !Arrays.equals(entry.getValue(), javax.get(name))) {
                // A bundled library that refers to the Servlet API (Micrometer's servlet tag providers) has those
                // references renamed as well, and nothing else: the same entries, only class files differ.
                sameButClasses(name + "!/", unzip(entry.getValue()), unzip(javax.get(name)));
            }
        }
        sameButClasses("", jakarta, javax);
    }

    private static void sameButClasses(String where, Map<String, byte[]> before, Map<String, byte[]> after) {
        assertEquals(before.keySet(), after.keySet(), where);
        before.forEach((name, bytes) -> {
            if (!name.endsWith(".class") && !name.endsWith(".jar")
                    && TOOL_ENTRIES.stream().noneMatch(name::startsWith)) {
                assertArrayEquals(bytes, after.get(name), where + name);
            }
        });
    }

    @Test
    void namesNoJakartaPackage() {
        // Class names in a class file's constant pool are ASCII here, as "jakarta/servlet/..." (types) or
        // "jakarta.servlet..." (strings), so a byte search finds every one.
        List<String> left = javax.entrySet().stream()
                .filter(e -> e.getKey().endsWith(".class") && !linkedJakarta(e.getValue()).isEmpty())
                .map(e -> e.getKey() + " " + linkedJakarta(e.getValue())).toList();
        assertEquals(List.of(), left, "classes that still name a jakarta package");
    }

    /**
     * The constant-pool strings that name a jakarta package, less generic signatures: the Eclipse Transformer
     * 1.0.0 leaves the servlet and WebSocket types in a generic {@code Signature} attribute unrenamed (seen:
     * {@code ChatSocket$1 implements MessageHandler.Whole<String>}). A JVM never links against a signature; only
     * reflection on generic types reads it, and ChatSocketIT shows Tomcat 8.5 and Jetty 9.4 find the handler's
     * message type all the same. Descriptors, class references and strings must all be renamed.
     */
    private static List<String> linkedJakarta(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        List<String> found = new java.util.ArrayList<>();
        for (int at = text.indexOf("jakarta"); at >= 0; at = text.indexOf("jakarta", at + 1)) {
            int from = at;
            while (from > 0 && text.charAt(from - 1) >= 0x20 && text.charAt(from - 1) < 0x7f) {
                from--;
            }
            int to = at;
            while (to < text.length() && text.charAt(to) >= 0x20 && text.charAt(to) < 0x7f) {
                to++;
            }
            String constant = text.substring(from, to);
            boolean genericSignature = constant.contains("<") && constant.contains(";>");
            if (!genericSignature) {
                found.add(constant);
            }
        }
        return found;
    }

    @Test
    void usesTheJavaxServletAndWebSocketApis() {
        byte[] setup = javax.get("WEB-INF/classes/org/asyncprimer/websocket/WebSocketSetup.class");
        assertTrue(mentions(setup, "javax/servlet/ServletContextListener"), "Servlet API renamed");
        assertTrue(mentions(setup, "javax/websocket/server/ServerContainer"), "WebSocket API renamed");
    }

    private static boolean mentions(byte[] bytes, String ascii) {
        return new String(bytes, StandardCharsets.ISO_8859_1).contains(ascii);
    }

    private static Path war(String property) {
        String path = System.getProperty(property);
        if (path == null || path.isBlank() || !Files.isRegularFile(Path.of(path))) {
            throw new IllegalStateException(property + " does not name a WAR (" + path + "): run this test with "
                    + "`mvn verify`, whose javax execution sets it");
        }
        return Path.of(path);
    }

    private static Map<String, byte[]> entries(Path war) throws IOException {
        try (InputStream in = Files.newInputStream(war)) {
            return unzip(in.readAllBytes());
        }
    }

    private static Map<String, byte[]> unzip(byte[] archive) throws IOException {
        Map<String, byte[]> entries = new TreeMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(archive))) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                if (!entry.isDirectory()) {
                    entries.put(entry.getName(), zip.readAllBytes());
                }
            }
        }
        return entries;
    }
}
