package org.crs4j.crs.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.crs4j.crs.serve.ApiServer;
import org.crs4j.crs.serve.ChatPage;
import org.crs4j.crs.serve.CrsTurnApi;
import org.crs4j.crs.serve.ServeLimits;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page in headless Chromium, as a person uses it: load the page, send two messages, watch the answer
 * arrive in pieces, wait for the recommendation cards, open the folded trace, take a screenshot
 * ({@code crs/target/chat-page.png}, to look at; not kept in the repository).
 *
 * <p>The rule for a machine without Chromium: with {@code CRS4J_REQUIRE_CHROMIUM=1} (what {@code .ci/run} sets,
 * after installing it) the test fails; otherwise it is skipped with a message saying what to install.
 */
class ChatPageBrowserTest {
    @TempDir static Path data;
    @TempDir static Path cache;
    @TempDir static Path models;
    @TempDir Path profile;

    /** The binary the environment variable names, else the first of {@code names} on the PATH, else null. */
    private static Path tool(String env, String... names) {
        String set = System.getenv(env);
        if (set != null && !set.isBlank()) return Files.isExecutable(Path.of(set)) ? Path.of(set) : null;
        String path = System.getenv().getOrDefault("PATH", "");
        for (String name : names)
            for (String dir : path.split(java.io.File.pathSeparator))
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) return Path.of(dir, name);
        return null;
    }

    @Test
    void twoMessagesStreamedAnswersCardsAndTheTrace() throws Exception {
        Path chromium = tool("CRS4J_CHROMIUM", "chromium", "chromium-browser", "google-chrome");
        Path driver = tool("CRS4J_CHROMEDRIVER", "chromedriver");
        if (chromium == null || driver == null) {
            String what = "headless Chromium is needed for the chat page's test: install Debian's chromium and chromium-driver"
                    + " (sudo apt-get install -y chromium chromium-driver), or set CRS4J_CHROMIUM and CRS4J_CHROMEDRIVER";
            if ("1".equals(System.getenv("CRS4J_REQUIRE_CHROMIUM"))) fail(what + " (CRS4J_REQUIRE_CHROMIUM=1)");
            Assumptions.abort(what + "; skipped because CRS4J_REQUIRE_CHROMIUM is not 1");
        }
        Path model = models.resolve("full");
        ChatFixture.prepare(data, cache, model);
        ServeLimits limits = ServeLimits.defaults();
        // pieces 250 ms apart: slow enough to see the answer grow on the page
        try (var llm = ChatFixture.llm(250); CrsSystem crs = ChatFixture.assemble(data, cache, model, llm.base() + "#fake").system()) {
            ApiServer server = ChatPage.install(new CrsTurnApi(crs, limits).install(new ApiServer("127.0.0.1", 0, limits, null, line -> {})));
            server.start();
            ChromeOptions options = new ChromeOptions().setBinary(chromium.toFile())
                    .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1100,900",
                            "--user-data-dir=" + profile, "--no-first-run", "--disable-extensions");
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile()).usingAnyFreePort().build();
            WebDriver browser = new ChromeDriver(service, options);
            try {
                browser.get("http://127.0.0.1:" + server.address().getPort() + "/");
                var wait = new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofMillis(20));
                wait.until(b -> b.findElement(By.id("info")).getText().startsWith("inspired, 5 movies · recommender causal-full · LLM "));

                List<String> seen = send(browser, wait, "I loved Pirates of the Caribbean (2003)", "linked: Pirates of the Caribbean (2003)", 1);
                assertTrue(seen.stream().anyMatch(t -> !t.isEmpty() && ChatFixture.ANSWER.startsWith(t) && !t.equals(ChatFixture.ANSWER)),
                        "the answer never showed part-way (not streamed?): " + seen);
                send(browser, wait, "Something scary, like \"Alien\", not Moonfall (2022)", "linked: Alien (1979) · unknown title: \"Moonfall (2022)\"", 2);

                List<WebElement> bots = browser.findElements(By.cssSelector(".msg.bot"));
                assertEquals(2, bots.size());
                WebElement second = bots.get(1);
                assertEquals(ChatFixture.ANSWER, second.findElement(By.className("answer")).getText());
                List<WebElement> cards = second.findElements(By.className("card"));
                assertEquals(2, cards.size(), "the catalogue's two horror films");
                assertEquals("Alien (1979)", cards.get(0).findElement(By.tagName("h3")).getText());
                assertEquals("1979 · horror, science fiction", cards.get(0).findElement(By.className("genres")).getText());
                assertTrue(cards.get(0).findElement(By.className("why")).getText().startsWith("Why Alien (1979):"));
                assertTrue(second.getText().contains("unknown title: \"Moonfall (2022)\" is not in the catalogue"), second.getText());
                WebElement trace = second.findElement(By.cssSelector("details.trace"));
                assertTrue(trace.findElement(By.tagName("summary")).getText().startsWith("stages: Recommendation(category=horror) -> Item → causal-full"));
                trace.findElement(By.tagName("summary")).click();
                String stages = trace.findElement(By.tagName("pre")).getText();
                assertTrue(stages.contains("1. sub-task: Recommendation(category=horror) -> Item [llm]") && stages.contains("LLM response: prompt "), stages);

                byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
                Path shot = Path.of("target", "chat-page.png");
                Files.createDirectories(shot.getParent());
                Files.write(shot, png);
                var image = javax.imageio.ImageIO.read(shot.toFile());
                assertTrue(image.getWidth() >= 1000 && image.getHeight() >= 700, image.getWidth() + "x" + image.getHeight());
            } finally {
                browser.quit();
                server.close();
            }
        }
    }

    /**
     * Types a message, waits for what it names to show under the input (linked as the user types), sends it, and
     * returns the answer's text as it was seen growing until the cards came.
     */
    private static List<String> send(WebDriver browser, WebDriverWait wait, String text, String names, int botMessages) {
        browser.findElement(By.id("message")).sendKeys(text);
        wait.until(b -> b.findElement(By.id("names")).getText().equals(names));
        browser.findElement(By.id("send")).click();
        List<String> seen = new ArrayList<>();
        wait.until(b -> {
            List<WebElement> bots = b.findElements(By.cssSelector(".msg.bot"));
            if (bots.size() < botMessages) return false;
            WebElement last = bots.getLast();
            String answer = last.findElement(By.className("answer")).getText();
            if (seen.isEmpty() || !seen.getLast().equals(answer)) seen.add(answer);
            return !last.findElements(By.className("card")).isEmpty() && b.findElement(By.id("send")).isEnabled();
        });
        return seen;
    }
}
