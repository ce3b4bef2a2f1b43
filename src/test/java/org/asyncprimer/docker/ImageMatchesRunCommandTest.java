package org.asyncprimer.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.NodeList;

/**
 * The image (docker/Dockerfile, docker/server.xml) runs Tomcat as the run command (pom.xml: run.* properties and
 * cargo's xmlReplacements) does: the same JVM settings and the same HTTP connector, but for the address it listens
 * on; and the run command's TLS connector has the plain one's limits. Nothing else keeps the copies in step when
 * one is tuned.
 */
class ImageMatchesRunCommandTest {

    private static final String PLAIN_CONNECTOR = "//Server/Service/Connector[not(@SSLEnabled)]";
    private static final String TLS_CONNECTOR = "//Server/Service/Connector[2]";
    /**
     * The plain connector's socket buffer sizes: a TLS connection's buffers are sized by the TLS session (a record
     * is up to 16 KB), so these would save nothing there.
     */
    private static final Set<String> NOT_FOR_TLS = Set.of("socket.appReadBufSize", "socket.appWriteBufSize");

    @Test
    void theImageRunsTheJvmWithTheRunCommandsSettings() throws Exception {
        Map<String, String> properties = pomProperties();
        String runCommand = "-Xms" + properties.get("run.initialHeap") + " -Xmx" + properties.get("run.heap") + " "
                + properties.get("run.jvmargs");
        Matcher opts = Pattern.compile("ENV CATALINA_OPTS=\"([^\"]*)\"")
                .matcher(Files.readString(Path.of("docker/Dockerfile")));
        assertEquals(true, opts.find(), "docker/Dockerfile sets CATALINA_OPTS");
        assertEquals(runCommand, opts.group(1));
    }

    @Test
    void theImagesConnectorHasTheRunCommandsAttributes() throws Exception {
        Map<String, String> runCommand = runCommandsAttributes(PLAIN_CONNECTOR);
        runCommand.remove("address");

        Element connector = (Element) xml(Path.of("docker/server.xml")).getElementsByTagName("Connector").item(0);
        Map<String, String> image = new TreeMap<>();
        NamedNodeMap attributes = connector.getAttributes();
        for (int i = 0; i < attributes.getLength(); i++) {
            image.put(attributes.item(i).getNodeName(), attributes.item(i).getNodeValue());
        }
        // What only the image sets: its port inside the container, the protocol and timeout the distribution's
        // server.xml (which cargo edits) already has.
        image.keySet().removeAll(Set.of("port", "protocol", "connectionTimeout"));
        assertEquals(runCommand, image);
    }

    @Test
    void theRunCommandsTlsConnectorHasThePlainOnesLimits() throws Exception {
        Map<String, String> plain = runCommandsAttributes(PLAIN_CONNECTOR);
        plain.keySet().removeAll(NOT_FOR_TLS);
        Map<String, String> tls = runCommandsAttributes(TLS_CONNECTOR);
        // What only TLS has: its port, protocol and the TLS switches.
        tls.keySet().removeAll(Set.of("port", "protocol", "SSLEnabled", "scheme", "secure"));
        assertEquals(plain, tls);
    }

    /** The attributes cargo's xmlReplacements give the connector at {@code xpath}, with the pom's properties. */
    private static Map<String, String> runCommandsAttributes(String xpath) throws Exception {
        Map<String, String> properties = pomProperties();
        Map<String, String> attributes = new TreeMap<>();
        NodeList replacements = pom().getElementsByTagName("xmlReplacement");
        for (int i = 0; i < replacements.getLength(); i++) {
            Element replacement = (Element) replacements.item(i);
            if (text(replacement, "xpathExpression").equals(xpath)) {
                attributes.put(text(replacement, "attributeName"), resolve(text(replacement, "value"), properties));
            }
        }
        assertFalse(attributes.isEmpty(), "the run command's attributes for " + xpath + " were found in pom.xml");
        return attributes;
    }

    private static Map<String, String> pomProperties() throws Exception {
        Map<String, String> properties = new TreeMap<>();
        NodeList children = ((Element) pom().getElementsByTagName("properties").item(0)).getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element property) {
                properties.put(property.getTagName(), property.getTextContent().trim());
            }
        }
        return properties;
    }

    private static String resolve(String value, Map<String, String> properties) {
        Matcher reference = Pattern.compile("\\$\\{([^}]+)}").matcher(value);
        return reference.matches() ? properties.get(reference.group(1)) : value;
    }

    private static String text(Element parent, String tag) {
        NodeList found = parent.getElementsByTagName(tag);
        return found.getLength() == 0 ? "" : found.item(0).getTextContent().trim();
    }

    private static Document pom() throws Exception {
        return xml(Path.of("pom.xml"));
    }

    private static Document xml(Path path) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(path.toFile());
    }
}
