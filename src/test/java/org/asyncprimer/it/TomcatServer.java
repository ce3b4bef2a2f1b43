package org.asyncprimer.it;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.WebResourceRoot;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.util.ServerInfo;
import org.apache.catalina.webresources.DirResourceSet;
import org.apache.catalina.webresources.StandardRoot;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.apache.tomcat.util.scan.StandardJarScanner;

/** Embedded Tomcat that deploys the webapp with annotation scanning, as a standalone Tomcat would. */
public final class TomcatServer implements TestServer {

    private final String expectedVersion;
    private Tomcat tomcat;
    private Path baseDir;
    private ClassLoader webappClassLoader;

    /** {@code expectedVersion}: the version prefix this test run claims, checked against the Tomcat on the class path. */
    public TomcatServer(String expectedVersion) {
        this.expectedVersion = expectedVersion;
    }

    @Override
    public URI start(Webapp webapp, ServerOptions options) throws Exception {
        String version = ServerInfo.getServerNumber();
        if (!version.startsWith(expectedVersion)) {
            throw new IllegalStateException("expected Tomcat " + expectedVersion + "x on the class path, found " + version);
        }
        baseDir = Files.createTempDirectory("async-primer-tomcat");
        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        Files.createDirectories(baseDir.resolve("webapps"));

        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(options.port());
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("maxThreads", Integer.toString(options.maxThreads()));
        connector.setProperty("minSpareThreads", Integer.toString(Math.min(10, options.maxThreads())));
        options.connector().forEach((name, value) -> {
            if (!connector.setProperty(name, value)) {
                throw new IllegalArgumentException("Tomcat's connector has no attribute " + name);
            }
        });
        // HTTP/2 on the same connector: h2c (prior knowledge and Upgrade) in the clear, h2 by ALPN over TLS.
        connector.addUpgradeProtocol(new Http2Protocol());
        if (options.tls()) {
            secure(connector, SelfSignedCertificate.generate(baseDir));
        }
        tomcat.setConnector(connector);
        tomcat.getHost().setAutoDeploy(false);

        // addWebapp (not addContext): it runs ContextConfig, which scans for @WebServlet, @WebListener and
        // @ServerEndpoint exactly as a standalone Tomcat does.
        String docBase = webapp.packaged() ? webapp.war().toString() : webapp.webRoot().toString();
        Context context = tomcat.addWebapp("", docBase);
        if (!webapp.packaged()) {
            WebResourceRoot resources = new StandardRoot(context);
            resources.addPreResources(new DirResourceSet(resources, "/WEB-INF/classes",
                    webapp.classes().toString(), "/"));
            context.setResources(resources);
        }
        // Other containers' initializers on the test class path (Jetty's) must not start inside Tomcat.
        ((StandardContext) context).setContainerSciFilter("org\\.eclipse\\.jetty\\..*");
        ((StandardJarScanner) context.getJarScanner()).setScanClassPath(false);
        options.contextParams().forEach(context::addParameter);

        tomcat.start();
        // Tomcat.start() does not throw when the connector or the context fail: check their states.
        if (connector.getState() != LifecycleState.STARTED || connector.getLocalPort() <= 0) {
            throw new IllegalStateException("Tomcat connector did not start: " + connector.getState());
        }
        if (context.getState() != LifecycleState.STARTED) {
            throw new IllegalStateException("the webapp did not deploy: " + context.getState());
        }
        webappClassLoader = context.getLoader().getClassLoader();
        String origin = options.tls() ? "https://localhost:" : "http://127.0.0.1:";
        return URI.create(origin + connector.getLocalPort() + "/");
    }

    private static void secure(Connector connector, SelfSignedCertificate certificate) {
        connector.setProperty("SSLEnabled", "true");
        connector.setScheme("https");
        connector.setSecure(true);
        SSLHostConfig tls = new SSLHostConfig();
        SSLHostConfigCertificate key = new SSLHostConfigCertificate(tls, SSLHostConfigCertificate.Type.RSA);
        key.setCertificateKeystoreFile(certificate.keyStore().toString());
        key.setCertificateKeystorePassword(certificate.password());
        key.setCertificateKeyAlias(certificate.alias());
        tls.addCertificate(key);
        connector.addSslHostConfig(tls);
    }

    @Override
    public ClassLoader webappClassLoader() {
        return webappClassLoader;
    }

    /**
     * Stops Tomcat and fails with what its leak detection reported while the context stopped: a thread the app
     * started and did not stop, a ThreadLocal left on a request thread, a Timer (see {@link UndeployWarnings}).
     * Every integration test's undeploy runs through here, so any leak fails the test class that caused it.
     */
    @Override
    public void stop() throws Exception {
        if (tomcat == null) {
            return;
        }
        List<String> warnings;
        try (UndeployWarnings log = UndeployWarnings.capture()) {
            try {
                tomcat.stop();
                tomcat.destroy();
            } finally {
                tomcat = null;
                deleteQuietly(baseDir.toFile());
            }
            warnings = log.warnings();
        }
        if (!warnings.isEmpty()) {
            throw new AssertionError(this + " reported at undeploy:\n  " + String.join("\n  ", warnings));
        }
    }

    private static void deleteQuietly(File file) {
        File[] children = file.listFiles();
        if (children != null) {
            for (File child : children) {
                deleteQuietly(child);
            }
        }
        if (!file.delete() && file.exists()) {
            file.deleteOnExit();
        }
    }

    @Override
    public String toString() {
        return "Tomcat " + ServerInfo.getServerNumber();
    }
}
