package io.github.gambiarra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.gambiarra.client.GambiarraClient;
import io.github.gambiarra.protocol.Messages;
import io.github.gambiarra.testing.EchoModel;
import io.github.gambiarra.testing.FakeLlmServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import picocli.CommandLine;

/**
 * The dashboard in a real headless Chromium, against {@code gambiarra demo} as a new user runs it:
 * the page the demo points to shows the room live, a chat sent from it is answered by the demo's
 * llama.cpp participant, and a protected room opens with its password. Needs Debian's
 * {@code chromium} and {@code chromium-driver} (.ci/run installs them); skipped, saying so, without.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    static Path dir;
    static DemoCommand demo;
    static CompletableFuture<Integer> demoExit;
    static final StringWriter demoOut = new StringWriter();
    static String dashboardUrl;
    static String code;
    static ChromeDriver browser;
    static WebDriverWait wait;
    static FakeLlmServer echo;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "the dashboard's browser test needs /usr/bin/chromium and /usr/bin/chromedriver "
                        + "(apt-get install chromium chromium-driver)");
        demo = new DemoCommand();
        CommandLine cli = new CommandLine(demo);
        cli.setOut(new PrintWriter(demoOut, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        demoExit = CompletableFuture.supplyAsync(() -> cli.execute("--port", "0", "--model-dir", dir.toString(),
                "--max-tokens", "6"));
        JoinCommandTest.await("the demo's hub left running", () -> demoOut.toString().contains("Ctrl-C stops the hub"));
        Matcher url = Pattern.compile("in a browser: (http://\\S+/\\?room=([A-Z0-9]{6}))").matcher(demoOut.toString());
        assertThat(url.find()).as("the demo prints the dashboard's URL:\n" + demoOut).isTrue();
        dashboardUrl = url.group(1);
        code = url.group(2);

        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--window-size=1280,1000");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build(), options);
        // A page that cannot load (every connection to the hub held by pages left behind) fails.
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (echo != null) {
            echo.close();
        }
        if (demo != null) {
            demo.running.stop();
            demoExit.get(30, TimeUnit.SECONDS);
        }
    }

    static WebElement byId(String id) {
        return browser.findElement(By.id(id));
    }

    /** A screenshot under target/ (docs/ holds copies of these). */
    static void screenshot(String name) throws Exception {
        Path shot = Path.of("target", name);
        Files.createDirectories(shot.getParent());
        Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    /** Console errors since the last call (the page must have none). */
    static List<String> consoleErrors() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage).toList();
    }

    @Test
    @Order(1)
    void theDemosRoomIsShownLive() throws Exception {
        browser.get(dashboardUrl);
        wait.until(d -> byId("room-live").getText().contains("live"));
        assertThat(byId("room-title").getText()).contains(code);
        wait.until(d -> !browser.findElements(By.cssSelector("#participants li[data-id='demo']")).isEmpty());
        WebElement card = browser.findElement(By.cssSelector("#participants li[data-id='demo']"));
        assertThat(card.getText()).containsIgnoringCase("online").contains("demo-tiny");
        assertThat(byId("join-command").getAttribute("value")).isEqualTo("gambiarra join " + code + " --hub "
                + dashboardUrl.substring(0, dashboardUrl.indexOf("/?")));
        assertThat(browser.findElement(By.cssSelector("#room-list a[data-code='" + code + "']")).getAttribute("aria-current"))
                .isEqualTo("page");
    }

    @Test
    @Order(2)
    void aParticipantThatJoinsAppearsWithoutReloading() throws Exception {
        echo = FakeLlmServer.start("echo-model").otherwise(new EchoModel());
        try (GambiarraClient client = GambiarraClient.create(demo.hub.url())) {
            client.register(code, new Messages.JoinRequest("ana", "Ana", "echo-model", echo.url(), null, null, null));
        }
        wait.until(d -> !browser.findElements(By.cssSelector("#participants li[data-id='ana']")).isEmpty());
        wait.until(d -> byId("activity").getText().contains("Ana joined with echo-model"));
    }

    @Test
    @Order(3)
    void aChatFromThePageIsAnsweredByTheDemosLlamaCppParticipantAsItStreams() throws Exception {
        new Select(byId("chat-route")).selectByValue("demo");
        byId("chat-input").sendKeys("Olá, sala!");
        byId("chat-send").click();
        WebElement answer = wait.until(d -> {
            List<WebElement> msgs = browser.findElements(By.cssSelector("#chat-log .msg.assistant"));
            return msgs.isEmpty() ? null : msgs.get(msgs.size() - 1);
        });
        new WebDriverWait(browser, Duration.ofSeconds(20))
                .withMessage(() -> "the chat log says: " + byId("chat-log").getAttribute("outerHTML"))
                .until(d -> answer.findElement(By.className("who")).getText().equals("Demo"));
        wait.until(d -> byId("chat-send").isEnabled());
        assertThat(answer.findElement(By.className("text")).getText()).isNotBlank();
        // The completion shows in the activity, and the charts draw it.
        wait.until(d -> byId("activity").getText().contains("✓ Demo"));
        // What the hub measured of the participant's speed, which routing goes by, is on its card.
        new WebDriverWait(browser, Duration.ofSeconds(20))
                .withMessage(() -> "the card says: " + browser.findElement(By.cssSelector("#participants li[data-id='demo']"))
                        .getText())
                .until(d -> browser.findElement(By.cssSelector("#participants li[data-id='demo']")).getText()
                        .matches("(?s).*output\\s+[0-9.]+ tok/s.*expected wait\\s+[0-9]+ ms.*"));
        wait.until(d -> !browser.findElements(By.cssSelector("#chart-ttft canvas")).isEmpty());
        assertThat(browser.findElements(By.cssSelector("#chart-tps canvas"))).isNotEmpty();
        assertThat(browser.findElements(By.cssSelector("#chart-rpm canvas"))).isNotEmpty();
        browser.manage().window().setSize(new Dimension(1280, 1500));
        ((JavascriptExecutor) browser).executeScript("document.activeElement.blur(); window.scrollTo(0, 0);");
        screenshot("dashboard.png");
        browser.manage().window().setSize(new Dimension(1280, 1000));
    }

    @Test
    @Order(4)
    void anAnswerArrivesWordByWordNotAllAtOnce() {
        // A participant that takes 400 ms per word: the page shows the first words before the last.
        echo.enqueue(FakeLlmServer.streamWords("one two three four five six", Duration.ofMillis(400)));
        new Select(byId("chat-route")).selectByValue("ana");
        byId("chat-input").sendKeys("count");
        byId("chat-send").click();
        WebElement answer = wait.until(d -> {
            List<WebElement> msgs = browser.findElements(By.cssSelector("#chat-log .msg.assistant"));
            WebElement last = msgs.get(msgs.size() - 1);
            return last.getText().contains("one two") ? last : null;
        });
        assertThat(answer.findElement(By.className("text")).getText()).doesNotContain("six");
        wait.until(d -> answer.findElement(By.className("text")).getText().equals("one two three four five six"));
    }

    @Test
    @Order(5)
    void aProtectedRoomAsksForItsPasswordOnce() throws Exception {
        String locked;
        try (GambiarraClient client = GambiarraClient.create(demo.hub.url())) {
            locked = client.createRoom("Locked", "s3cret").room().code();
        }
        browser.get(demo.hub.url() + "/?room=" + locked);
        wait.until(d -> byId("password-form").isDisplayed());
        byId("room-password").sendKeys("wrong");
        byId("room-password").sendKeys(Keys.ENTER);
        wait.until(d -> byId("password-error").isDisplayed());
        assertThat(byId("password-error").getText()).contains("not the room's");
        byId("room-password").sendKeys("s3cret" + Keys.ENTER);
        wait.until(d -> byId("room-body").isDisplayed() && byId("room-live").getText().contains("live"));
        assertThat(byId("no-participants").isDisplayed()).isTrue();
        // A 401 from the hub shows in the console as a failed request; what matters is nothing else failed.
        assertThat(consoleErrors()).allMatch(e -> e.contains("401"));
    }

    @Test
    @Order(6)
    void aRoomCanBeCreatedFromThePage() {
        browser.get(demo.hub.url() + "/");
        browser.findElement(By.cssSelector("#create summary")).click();
        byId("create-name").sendKeys("Made in the browser");
        byId("create-form").submit();
        wait.until(d -> byId("room-title").getText().startsWith("Made in the browser"));
        assertThat(byId("join-command").getAttribute("value")).startsWith("gambiarra join ");
    }

    @Test
    @Order(7)
    void itFitsAPhoneAndWorksFromTheKeyboard() throws Exception {
        browser.manage().window().setSize(new Dimension(375, 812));
        browser.get(dashboardUrl);
        wait.until(d -> !browser.findElements(By.cssSelector("#participants li[data-id='demo']")).isEmpty());
        long overflow = (Long) ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertThat(overflow).as("horizontal overflow at 375 px").isLessThanOrEqualTo(0);
        screenshot("dashboard-phone.png");
        // From the top of the page, Tab reaches the chat box.
        browser.findElement(By.tagName("body")).click();
        boolean reached = false;
        for (int i = 0; i < 60 && !reached; i++) {
            browser.switchTo().activeElement().sendKeys(Keys.TAB);
            reached = "chat-input".equals(browser.switchTo().activeElement().getAttribute("id"));
        }
        assertThat(reached).as("the chat box is reachable with Tab").isTrue();
        browser.switchTo().activeElement().sendKeys("from the keyboard");
        browser.switchTo().activeElement().sendKeys(Keys.chord(Keys.CONTROL, Keys.ENTER));
        wait.until(d -> browser.findElements(By.cssSelector("#chat-log .msg.user")).stream()
                .anyMatch(m -> m.getText().contains("from the keyboard")));
        assertThat(consoleErrors()).isEmpty();
    }

    @Test
    @Order(20)
    void aRoomNamedInTheAddressesHashOpensAsOneNamedInItsQuery() {
        browser.get(demo.hub.url() + "/#" + code.toLowerCase(Locale.ROOT));
        wait.until(d -> byId("room-title").getText().endsWith(code));
        assertThat(byId("join-command").getAttribute("value")).startsWith("gambiarra join " + code);
        browser.get(demo.hub.url() + "/?room=" + code);
        wait.until(d -> byId("room-title").getText().endsWith(code));
    }

    @Test
    @Order(21)
    void aFreshPageShowsWhatTheRoomDidLatelyBeforeAnythingNewHappens() {
        // A new page on the room where the chats above were answered: no traffic since.
        browser.get(demo.hub.url() + "/?room=" + code);
        wait.until(d -> byId("room-title").getText().endsWith(code));
        wait.until(d -> byId("activity").getText().contains("✓ Demo"));
        assertThat(byId("activity").getText()).contains("Ana joined with echo-model");
        // The charts draw the history: the TTFT chart has a series for the demo participant.
        wait.until(d -> !browser.findElements(By.cssSelector("#chart-ttft canvas")).isEmpty());
        assertThat(byId("chart-ttft").getText()).contains("Demo");
        assertThat(consoleErrors()).isEmpty();
    }

    @Test
    @Order(22)
    void aRoomWithNoAnswersYetStillDrawsItsChartsAxes() {
        String quiet;
        try (GambiarraClient client = GambiarraClient.create(demo.hub.url())) {
            quiet = client.createRoom("Quiet room", null).room().code();
        }
        browser.get(demo.hub.url() + "/?room=" + quiet);
        wait.until(d -> byId("room-title").getText().startsWith("Quiet room"));
        wait.until(d -> !browser.findElements(By.cssSelector("#chart-ttft canvas")).isEmpty());
        assertThat(browser.findElements(By.cssSelector("#chart-tps canvas"))).isNotEmpty();
        assertThat(byId("chart-ttft").getText()).contains("no answers yet");
    }
}
