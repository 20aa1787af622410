package org.clusteripam.daemon.map;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The browser half of {@code MapBench}: load time, JS heap and DOM size of the page, and the
 * drill-down times, in headless chromium.
 */
public final class MapPageTimings {
  private MapPageTimings() {}

  public static void measure(Path dir, String base, String pool, String block) throws Exception {
    try (WebDriver b = WebDriver.start(dir, 1400, 1000)) {
      b.open(base + "/map/");
      b.await(
          "overview",
          Duration.ofSeconds(120),
          "return document.body.dataset.ready === 'true' ? 1 : 0",
          v -> v.asInt() == 1);
      JsonNode nav =
          b.script(
              "const n = performance.getEntriesByType('navigation')[0]; const r = performance.getEntriesByName(location.origin + '/v1/map')[0];"
                  + " return {domContentLoaded: Math.round(n.domContentLoadedEventEnd), load: Math.round(n.loadEventEnd), drawn: +document.body.dataset.firstDrawnMs,"
                  + " render: +document.body.dataset.renderMs, mapFetch: r ? Math.round(r.responseEnd - r.startTime) : -1, mapBytes: r ? r.transferSize : -1,"
                  + " heap: performance.memory ? performance.memory.usedJSHeapSize : -1, nodes: document.getElementsByTagName('*').length,"
                  + " pools: document.querySelectorAll('rect.pool').length}");
      System.out.printf(
          "page: overview drawn %d ms after navigation start (DOMContentLoaded %d ms, /v1/map fetched in %d ms, %,d bytes transferred, "
              + "drawing %d ms); JS heap %.1f MB; %,d DOM elements (%,d pool regions)%n",
          nav.path("drawn").asLong(),
          nav.path("domContentLoaded").asLong(),
          nav.path("mapFetch").asLong(),
          nav.path("mapBytes").asLong(),
          nav.path("render").asLong(),
          nav.path("heap").asLong() / 1e6,
          nav.path("nodes").asLong(),
          nav.path("pools").asLong());
      try {
        b.call(
            "POST",
            "/session/" + b.sessionId() + "/goog/cdp/execute",
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree("{\"cmd\":\"Performance.enable\",\"params\":{}}"));
        JsonNode metrics =
            b.call(
                "POST",
                "/session/" + b.sessionId() + "/goog/cdp/execute",
                new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree("{\"cmd\":\"Performance.getMetrics\",\"params\":{}}"));
        StringBuilder sb = new StringBuilder("devtools:");
        for (JsonNode m : metrics.path("value").path("metrics")) {
          String name = m.path("name").asText();
          if (name.equals("JSHeapUsedSize")
              || name.equals("JSHeapTotalSize")
              || name.equals("Nodes")
              || name.equals("LayoutCount")
              || name.equals("ScriptDuration")
              || name.equals("LayoutDuration")) {
            sb.append(' ')
                .append(name)
                .append('=')
                .append(
                    name.endsWith("Size")
                        ? String.format("%.1fMB", m.path("value").asDouble() / 1e6)
                        : name.endsWith("Duration")
                            ? String.format("%.2fs", m.path("value").asDouble())
                            : m.path("value").asText());
          }
        }
        System.out.println(sb);
      } catch (Exception e) {
        System.out.println("devtools metrics unavailable: " + e.getMessage());
      }
      long t = System.nanoTime();
      b.open(base + "/map/#/pool/" + pool);
      b.await(
          "pool",
          Duration.ofSeconds(60),
          "return document.body.dataset.view === 'pool' && document.body.dataset.hash === location.hash ? 1 : 0",
          v -> v.asInt() == 1);
      long poolMs = (System.nanoTime() - t) / 1_000_000;
      t = System.nanoTime();
      b.open(base + "/map/#/block/" + block);
      b.await(
          "block",
          Duration.ofSeconds(60),
          "return document.body.dataset.view === 'block' && document.body.dataset.hash === location.hash ? 1 : 0",
          v -> v.asInt() == 1);
      long blockMs = (System.nanoTime() - t) / 1_000_000;
      System.out.printf(
          "drill-down: pool %s drawn in %d ms, block %s in %d ms (fetch + draw, measured from the test)%n",
          pool, poolMs, block, blockMs);
    }
  }
}
