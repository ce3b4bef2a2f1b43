package org.asyncprimer.browser;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.PageLoadStrategy;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium through Debian's chromedriver, both named by path so that Selenium never tries to
 * download a browser or a driver (there is no network here, nor in CI).
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of(System.getProperty("asyncprimer.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("asyncprimer.chromedriver", "/usr/bin/chromedriver"));
    static final Path SCREENSHOTS = Path.of("target", "browser-screenshots");

    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** {@code extraArguments}: more Chromium switches, e.g. {@code --ignore-certificate-errors} for a test certificate. */
    static Browser launch(String... extraArguments) throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("Chromium or chromedriver is missing (" + CHROMIUM + ", " + CHROMEDRIVER
                    + "): install them with `apt-get install chromium chromium-driver`");
        }
        Path profile = Files.createTempDirectory("async-primer-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--disable-quic", "--window-size=1100,900",
                "--user-data-dir=" + profile);
        options.addArguments(extraArguments);
        // Navigation returns at once: /stream's page load only completes at END, and the tests watch it grow.
        options.setPageLoadStrategy(PageLoadStrategy.NONE);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new Browser(new ChromeDriver(service, options), profile);
    }

    ChromeDriver driver() {
        return driver;
    }

    /** The page's visible text, or "" while there is no body yet. */
    String text() {
        Object text = driver.executeScript("return document.body ? document.body.innerText : ''");
        return text == null ? "" : text.toString();
    }

    /** Polls until the condition holds or the deadline passes; returns whether it held. */
    static boolean waitFor(Supplier<Boolean> condition, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            if (Boolean.TRUE.equals(condition.get())) {
                return true;
            }
            Thread.sleep(25); // polling interval; the loop checks the outcome
        }
        return Boolean.TRUE.equals(condition.get());
    }

    void screenshot(String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() throws Exception {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
