package org.clusteripam.daemon.map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;

/**
 * Debian's chromium driven headless through chromedriver, speaking the W3C WebDriver protocol over
 * loopback HTTP. The driver (and the browser it starts) is this test's child process, stopped by
 * pid in {@link #close()}; the browser gets a fresh profile and no network but loopback.
 */
final class WebDriver implements AutoCloseable {
  private static final ObjectMapper M = new ObjectMapper();
  private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

  private final Process driver;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String session;

  private WebDriver(Process driver, String base, String session) {
    this.driver = driver;
    this.base = base;
    this.session = session;
  }

  /**
   * Starts chromedriver on a free loopback port and one headless chromium session of {@code
   * width}×{@code height}.
   */
  static WebDriver start(Path dir, int width, int height) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = dir.resolve("chromedriver.log");
    Process p =
        new ProcessBuilder(
                "/usr/bin/chromedriver",
                "--port=" + port,
                "--allowed-ips=127.0.0.1",
                "--log-path=" + log)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("chromedriver.out").toFile())
            .start();
    String base = "http://127.0.0.1:" + port;
    WebDriver probe = new WebDriver(p, base, "");
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (true) {
        try {
          if (probe.call("GET", "/status", null).path("value").path("ready").asBoolean()) {
            break;
          }
        } catch (IOException e) {
          // not listening yet
        }
        if (!p.isAlive() || System.nanoTime() > deadline) {
          throw new AssertionError(
              "chromedriver did not become ready: "
                  + Files.readString(dir.resolve("chromedriver.out")));
        }
        Thread.sleep(50);
      }
      ObjectNode caps = M.createObjectNode();
      ObjectNode always = caps.putObject("capabilities").putObject("alwaysMatch");
      always.put("browserName", "chrome");
      ObjectNode chrome = always.putObject("goog:chromeOptions");
      chrome.put("binary", "/usr/bin/chromium");
      ArrayNode args = chrome.putArray("args");
      for (String a :
          List.of(
              "--headless",
              "--no-sandbox",
              "--disable-gpu",
              "--disable-quic",
              "--no-first-run",
              "--disable-background-networking",
              "--disable-component-update",
              "--disable-sync",
              "--disable-dev-shm-usage",
              "--hide-scrollbars",
              "--force-device-scale-factor=1",
              "--font-render-hinting=none",
              "--enable-precise-memory-info",
              "--window-size=" + width + "," + height,
              "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")))) {
        args.add(a);
      }
      JsonNode r = probe.call("POST", "/session", caps);
      String id = r.path("value").path("sessionId").asText();
      if (id.isEmpty()) {
        throw new AssertionError("no WebDriver session: " + r);
      }
      return new WebDriver(p, base, id);
    } catch (Exception | AssertionError e) {
      stop(p);
      throw e;
    }
  }

  String sessionId() {
    return session;
  }

  JsonNode call(String method, String path, JsonNode body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    b =
        body == null
            ? b.method(method, HttpRequest.BodyPublishers.noBody())
            : b.method(method, HttpRequest.BodyPublishers.ofString(M.writeValueAsString(body)))
                .header("Content-Type", "application/json");
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode n = M.readTree(r.body());
    if (r.statusCode() >= 400) {
      throw new IllegalStateException(
          "WebDriver " + method + " " + path + ": " + r.statusCode() + " " + n.path("value"));
    }
    return n;
  }

  private JsonNode session(String method, String path, JsonNode body) throws Exception {
    return call(method, "/session/" + session + path, body).path("value");
  }

  void open(String url) throws Exception {
    session("POST", "/url", M.createObjectNode().put("url", url));
  }

  /**
   * Runs {@code script} (a function body; {@code arguments} are the args) and returns its JSON
   * result.
   */
  JsonNode script(String script, Object... args) throws Exception {
    ObjectNode b = M.createObjectNode().put("script", script);
    ArrayNode a = b.putArray("args");
    for (Object o : args) {
      if (o instanceof Element e) {
        a.addObject().put(ELEMENT, e.id());
      } else {
        a.addPOJO(o);
      }
    }
    return session("POST", "/execute/sync", b);
  }

  record Element(String id) {}

  List<Element> findAll(String css) throws Exception {
    JsonNode v =
        session(
            "POST",
            "/elements",
            M.createObjectNode().put("using", "css selector").put("value", css));
    List<Element> out = new ArrayList<>();
    v.forEach(n -> out.add(new Element(n.path(ELEMENT).asText())));
    return out;
  }

  Element find(String css) throws Exception {
    List<Element> all = findAll(css);
    if (all.isEmpty()) {
      throw new AssertionError(
          "no element matches "
              + css
              + " in "
              + script("return document.body.outerHTML.slice(0, 4000)").asText());
    }
    return all.get(0);
  }

  String text(Element e) throws Exception {
    return session("GET", "/element/" + e.id() + "/text", null).asText();
  }

  String attribute(Element e, String name) throws Exception {
    return session("GET", "/element/" + e.id() + "/attribute/" + name, null).asText(null);
  }

  /** A real pointer click in the middle of the element (SVG shapes included). */
  void click(Element e) throws Exception {
    session("POST", "/element/" + e.id() + "/click", M.createObjectNode());
  }

  void type(Element e, String text) throws Exception {
    session("POST", "/element/" + e.id() + "/value", M.createObjectNode().put("text", text));
  }

  void clear(Element e) throws Exception {
    session("POST", "/element/" + e.id() + "/clear", M.createObjectNode());
  }

  /**
   * Moves the pointer to the top-left corner (so no hover highlight shows in a screenshot) and
   * takes focus off inputs.
   */
  void rest() throws Exception {
    ObjectNode b = M.createObjectNode();
    ObjectNode mouse = b.putArray("actions").addObject().put("type", "pointer").put("id", "mouse");
    mouse.putObject("parameters").put("pointerType", "mouse");
    mouse
        .putArray("actions")
        .addObject()
        .put("type", "pointerMove")
        .put("duration", 0)
        .put("x", 1)
        .put("y", 1)
        .put("origin", "viewport");
    session("POST", "/actions", b);
    script("document.activeElement && document.activeElement.blur(); return 0;");
  }

  byte[] screenshot() throws Exception {
    rest();
    return Base64.getDecoder().decode(session("GET", "/screenshot", null).asText());
  }

  /**
   * Polls {@code script} (returning a value) until {@code done} holds, or fails with the last
   * value.
   */
  JsonNode await(String what, Duration timeout, String script, Predicate<JsonNode> done)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = script(script);
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "timed out after " + timeout + " waiting for " + what + "; last: " + last);
  }

  @Override
  public void close() throws Exception {
    try {
      if (!session.isEmpty()) {
        call("DELETE", "/session/" + session, null);
      }
    } catch (Exception e) {
      // the driver is stopped below either way
    } finally {
      stop(driver);
    }
  }

  private static void stop(Process p) throws InterruptedException {
    List<ProcessHandle> children = p.descendants().toList();
    p.destroy();
    if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
    }
    for (ProcessHandle c : children) {
      c.destroyForcibly();
    }
  }
}
