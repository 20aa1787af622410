package org.clusteripam.daemon.map;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.clusteripam.daemon.serve.DaemonProcess;
import org.clusteripam.etcd.file.FileStateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * The map page in a real headless chromium against a real daemon on the embedded store holding
 * {@link MapFixture}: the regions and labels by DOM, screenshots against reviewed golden images,
 * pool → block → address by clicks, search, and a new allocation (made through the daemon's engine
 * over the plugin socket) showing up without a reload.
 */
class MapPageBrowserTest {
  static final double TOLERANCE = 0.015;
  @TempDir Path dir;

  @Test
  void drawsTheAddressSpaceDrillsDownSearchesAndFollowsTheStore() throws Exception {
    long t0 = System.nanoTime();
    MapFixture f;
    Path state = dir.resolve("state");
    try (FileStateStore s = FileStateStore.open(state)) {
      f = new MapFixture(s);
    }
    phase("fixture written", t0);
    int port;
    try (ServerSocket ss = new ServerSocket(0)) {
      port = ss.getLocalPort();
    }
    Path socket = dir.resolve("p.sock");
    List<String> args =
        new ArrayList<>(
            List.of(
                "--socket",
                socket.toString(),
                "--state-dir",
                state.toString(),
                "--node-id",
                "node-a",
                "--docker-host",
                "unix://" + dir.resolve("no-docker.sock"),
                "--metrics",
                "127.0.0.1:" + port,
                "--lb-interval",
                "PT1H"));
    args.addAll(MapFixture.SERVE_ARGS);
    String base = "http://127.0.0.1:" + port;
    try (DaemonProcess daemon =
        DaemonProcess.start(dir.resolve("daemon.log"), args.toArray(String[]::new))) {
      daemon.awaitSocket(socket, Duration.ofSeconds(30));
      HttpClient http = HttpClient.newHttpClient();
      awaitHttp(http, base + "/v1/map", daemon);
      phase("daemon serving", t0);

      // The static SVG of the same state: one region per pool, the warning outline on the full one.
      String svg =
          http.send(
                  HttpRequest.newBuilder(URI.create(base + "/v1/map.svg")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Document doc =
          DocumentBuilderFactory.newInstance()
              .newDocumentBuilder()
              .parse(
                  new ByteArrayInputStream(svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      assertThat(MapSvgTest.pools(doc))
          .contains("10.80.0.0/24", "10.80.5.0/24", "10.90.0.0/24", "10.91.0.0/24")
          .hasSize(9);

      try (WebDriver b = WebDriver.start(dir, 1400, 1000)) {
        phase("browser started", t0);
        b.open(base + "/map/");
        awaitView(b, "overview");
        phase("overview drawn", t0);
        b.script("window.__sameDocument = 'yes'; return 0;");
        assertThat(attributes(b, "g.tile", "data-id"))
            .containsExactly("10.80.0.0/20", "fd80:cafe::/60", "outside");
        assertThat(attributes(b, "rect.pool", "data-prefix"))
            .hasSize(9)
            .contains(
                f.pools.get("web").toString(),
                f.pools.get("ingest").toString(),
                "10.90.0.0/24",
                "10.91.0.0/24");
        assertThat(texts(b, "text.pool-label"))
            .contains("10.80.0.0/24", "10.80.5.0/24", "10.91.0.0/24");
        assertThat(texts(b, "text.pool-util")).contains("web · 13%", "ingest · 83%");
        String ingest = f.pools.get("ingest").toString();
        assertThat(b.attribute(b.find("rect.pool[data-prefix='" + ingest + "']"), "stroke"))
            .as("warning outline")
            .isEqualTo("#b71c1c");
        assertThat(b.text(b.find("#side"))).contains("1 pool above 80%").contains(ingest);
        assertThat(b.text(b.find("#revision"))).isNotEmpty();
        Golden.check("overview.png", b.screenshot(), TOLERANCE);

        // pool → block → address, by clicks
        b.click(b.find("rect.pool[data-prefix='10.91.0.0/24']"));
        awaitView(b, "pool");
        assertThat(b.findAll("rect.placeholders")).hasSize(1);
        assertThat(attributes(b, "rect.block", "data-owner"))
            .contains("node-a", "node-b", "@global");
        assertThat(b.text(b.find("ul.plan")))
            .contains("placeholder range 10.91.0.192/26: 63 placeholders");
        assertThat(b.text(b.find("table.blocks")))
            .contains("capacity")
            .contains("reserved")
            .contains("free")
            .contains("10.91.0.192/26");
        Golden.check("pool-per-host.png", b.screenshot(), TOLERANCE);
        phase("pool checked", t0);

        b.click(b.find("rect.block[data-prefix='10.91.0.192/26']"));
        awaitView(b, "block");
        assertThat(b.findAll("rect.addr[data-kind='placeholder']")).hasSize(6);
        assertThat(b.findAll("rect.addr[data-kind='broadcast']")).hasSize(1);
        b.click(b.find("rect.addr[data-address='" + f.placeholder + "']"));
        b.await(
            "the address panel",
            Duration.ofSeconds(5),
            "return document.querySelector('.address-title')?.textContent || ''",
            v -> v.asText().equals("address " + f.placeholder));
        assertThat(b.text(b.find("dl.address-facts"))).contains("placeholder").contains("@global");
        assertThat(b.text(b.find("#crumbs")))
            .contains("pool 10.91.0.0/24")
            .contains("block 10.91.0.192/26");

        // Search: an address (a cooling one), a service id held in a VIP holder, a host, a network
        // name.
        b.click(b.find("#crumbs a[href='#/']"));
        awaitView(b, "overview");
        WebDriver.Element search = b.find("#search");
        b.type(search, f.cooling + "\n");
        b.await(
            "the cooling address",
            Duration.ofSeconds(5),
            "return location.hash",
            v -> v.asText().endsWith("@" + f.cooling));
        awaitView(b, "block");
        assertThat(b.attribute(b.find("rect.addr[data-address='" + f.cooling + "']"), "data-kind"))
            .isEqualTo("cooling");
        assertThat(b.text(b.find("dl.address-facts"))).contains("cooling").contains("released");
        assertThat(hits(b, search, "frontend"))
            .anyMatch(h -> h.contains(f.webVip.toString()) && h.contains("@vip/node-a/frontend"));
        assertThat(hits(b, search, "node-c"))
            .hasSizeGreaterThanOrEqualTo(6)
            .allMatch(h -> h.contains("node-c"));
        assertThat(hits(b, search, "ingest")).anyMatch(h -> h.contains(ingest + " ingest"));

        phase("search checked", t0);
        // node-a's block of "web": then a new allocation by the daemon's engine appears without a
        // reload.
        b.clear(search);
        b.open(base + "/map/#/block/10.80.0.0/26");
        b.script("window.__sameDocument = 'yes'; return 0;");
        awaitView(b, "block");
        Golden.check("block.png", b.screenshot(), TOLERANCE);
        String before = b.text(b.find("#revision"));
        assertThat(b.findAll("rect.addr[data-address='10.80.0.13'][data-kind='free']")).hasSize(1);
        String got =
            DaemonProcess.call(
                socket,
                "IpamDriver.RequestAddress",
                "{\"PoolID\":\"" + f.webId + "\",\"Address\":\"\",\"Options\":null}");
        assertThat(got).contains("\"Address\":\"10.80.0.13/24\"");
        long t1 = System.nanoTime();
        b.await(
            "the new address on the page",
            Duration.ofSeconds(5),
            "return document.querySelector(\"rect.addr[data-address='10.80.0.13']\")?.getAttribute('data-kind') || ''",
            v -> v.asText().equals("endpoint"));
        System.out.printf(
            "new allocation drawn %d ms after it was made%n", (System.nanoTime() - t1) / 1_000_000);
        assertThat(b.script("return window.__sameDocument || 'reloaded'").asText())
            .isEqualTo("yes");
        assertThat(b.text(b.find("#revision"))).isNotEqualTo(before);
        assertThat(b.text(b.find("table.addresses"))).contains("10.80.0.13");
      }
      phase("browser closed", t0);
      assertThat(daemon.stop(Duration.ofSeconds(15))).isZero();
    }
  }

  private static void phase(String what, long t0) {
    System.out.printf("%s at %d ms%n", what, (System.nanoTime() - t0) / 1_000_000);
  }

  private static void awaitHttp(HttpClient http, String url, DaemonProcess daemon)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    throw new AssertionError(url + " did not answer: " + daemon.log());
  }

  private static void awaitView(WebDriver b, String view) throws Exception {
    b.await(
        "view " + view,
        Duration.ofSeconds(10),
        "const d = document.body.dataset; return d.ready === 'true' && (d.hash || '') === location.hash ? d.view : ''",
        v -> v.asText().equals(view));
  }

  private static List<String> attributes(WebDriver b, String css, String name) throws Exception {
    JsonNode v =
        b.script(
            "return [...document.querySelectorAll(arguments[0])].map(e => e.getAttribute(arguments[1]))",
            css,
            name);
    List<String> out = new ArrayList<>();
    v.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<String> texts(WebDriver b, String css) throws Exception {
    JsonNode v =
        b.script(
            "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent)", css);
    List<String> out = new ArrayList<>();
    v.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<String> hits(WebDriver b, WebDriver.Element search, String query)
      throws Exception {
    b.clear(search);
    b.type(search, query);
    b.await(
        "hits for " + query,
        Duration.ofSeconds(5),
        "const l = document.getElementById('hits'); return !l.hidden && l.dataset.query === arguments[0] ? 1 : 0"
            .replace("arguments[0]", "'" + query + "'"),
        v -> v.asInt() == 1);
    return texts(b, "#hits li[data-go]");
  }
}
