package org.asyncprimer.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
 * on. Nothing else keeps the two copies in step when one is tuned.
 */
class ImageMatchesRunCommandTest {

    private static final String PLAIN_CONNECTOR = "//Server/Service/Connector[not(@SSLEnabled)]";

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
        Map<String, String> properties = pomProperties();
        Map<String, String> runCommand = new TreeMap<>();
        NodeList replacements = pom().getElementsByTagName("xmlReplacement");
        for (int i = 0; i < replacements.getLength(); i++) {
            Element replacement = (Element) replacements.item(i);
            String attribute = text(replacement, "attributeName");
            if (text(replacement, "xpathExpression").equals(PLAIN_CONNECTOR) && !attribute.equals("address")) {
                runCommand.put(attribute, resolve(text(replacement, "value"), properties));
            }
        }
        assertFalse(runCommand.isEmpty(), "the run command's connector attributes were found in pom.xml");

        Element connector = (Element) xml(Path.of("docker/server.xml")).getElementsByTagName("Connector").item(0);
        Map<String, String> image = new TreeMap<>();
        NamedNodeMap attributes = connector.getAttributes();
        for (int i = 0; i < attributes.getLength(); i++) {
            image.put(attributes.item(i).getNodeName(), attributes.item(i).getNodeValue());
        }
        // What only the image sets: its port inside the container, the protocol and timeout the distribution's
        // server.xml (which cargo edits) already has.
        image.keySet().removeAll(java.util.Set.of("port", "protocol", "connectionTimeout"));
        assertEquals(runCommand, image);
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
