package org.clusteripam.daemon.map;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.daemon.metrics.MetricsServer;

/**
 * The map on the daemon's read-only listener: the page and its assets under {@code /map/} (from the
 * jar), its JSON under {@code /v1/map} (overview, with the store revision as ETag so a poll of an
 * unchanged store costs one revision read), {@code /v1/map/pool}, {@code /v1/map/block}, {@code
 * /v1/map/search}, and {@code /v1/map.svg}. One snapshot per store revision is kept and shared by
 * every request.
 */
public final class MapHttp {
  private static final String UI = "/org/clusteripam/daemon/map/ui/";
  private static final Map<String, String> ASSETS =
      Map.of(
          "index.html",
          "text/html; charset=utf-8",
          "map.js",
          "text/javascript; charset=utf-8",
          "map.css",
          "text/css; charset=utf-8");

  private final IpamQueries queries;
  private final IpamConfig config;
  private final String store;
  private final ContainerDirectory containers;
  private Cached cached;

  /** Everything derived from one snapshot; pool details are computed when first asked for. */
  private record Cached(
      IpamQueries.Snapshot snapshot,
      MapOverview overview,
      byte[] json,
      Map<IpPrefix, PoolDetail> pools) {}

  /**
   * @param containers who else knows containers by id and name (Docker), for the search
   */
  public MapHttp(
      IpamQueries queries, IpamConfig config, String store, ContainerDirectory containers) {
    this.queries = queries;
    this.config = config;
    this.store = store;
    this.containers = containers;
  }

  /** Serves the map on {@code server}. */
  public static void install(
      MetricsServer server,
      IpamQueries queries,
      IpamConfig config,
      String store,
      ContainerDirectory containers) {
    MapHttp m = new MapHttp(queries, config, store, containers);
    server.addHandler("/map", m::page);
    server.addHandler("/v1/map", m::api);
  }

  /**
   * The SVG of the current state (also what {@code show --svg} prints when it reads the store
   * itself).
   */
  public static String svg(IpamQueries.Snapshot s, String store) {
    return MapSvg.render(MapOverview.of(s, store));
  }

  private synchronized Cached current() throws Exception {
    long rev = queries.revision();
    if (cached == null || cached.snapshot().revision() != rev) {
      IpamQueries.Snapshot s = queries.snapshot();
      MapOverview o = MapOverview.of(s, store);
      cached = new Cached(s, o, MapJson.overview(o), new HashMap<>());
    }
    return cached;
  }

  private synchronized PoolDetail pool(Cached c, IpPrefix prefix) {
    return c.pools()
        .computeIfAbsent(
            prefix,
            p ->
                c.snapshot().allPools().stream()
                    .filter(v -> v.prefix().equals(p))
                    .findFirst()
                    .map(v -> PoolDetail.of(v, config))
                    .orElse(null));
  }

  private void page(HttpExchange ex) throws IOException {
    try (ex) {
      if (!readOnly(ex)) {
        return;
      }
      String path = ex.getRequestURI().getPath();
      String name =
          path.equals("/map") || path.equals("/map/")
              ? "index.html"
              : path.startsWith("/map/") ? path.substring(5) : "";
      String type = ASSETS.get(name);
      if (type == null) {
        send(
            ex,
            404,
            "text/plain; charset=utf-8",
            ("no " + path + "\n").getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (path.equals("/map")) {
        ex.getResponseHeaders().set("Location", "/map/");
        send(ex, 301, "text/plain; charset=utf-8", new byte[0]);
        return;
      }
      try (InputStream in = MapHttp.class.getResourceAsStream(UI + name)) {
        if (in == null) {
          send(
              ex,
              500,
              "text/plain; charset=utf-8",
              ("missing resource " + name + "\n").getBytes(StandardCharsets.UTF_8));
          return;
        }
        send(ex, 200, type, in.readAllBytes());
      }
    }
  }

  private void api(HttpExchange ex) throws IOException {
    try (ex) {
      if (!readOnly(ex)) {
        return;
      }
      String path = ex.getRequestURI().getPath();
      Map<String, String> q = query(ex.getRequestURI().getRawQuery());
      try {
        switch (path) {
          case "/v1/map" -> {
            Cached c = current();
            String etag = "\"" + c.snapshot().revision() + "\"";
            ex.getResponseHeaders().set("ETag", etag);
            if (etag.equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
              ex.getResponseHeaders().set("Cache-Control", "no-cache");
              ex.sendResponseHeaders(304, -1);
              return;
            }
            send(ex, 200, "application/json", c.json());
          }
          case "/v1/map/pool" -> {
            Cached c = current();
            IpPrefix p = IpPrefix.parse(required(q, "prefix"));
            PoolDetail d =
                Optional.ofNullable(pool(c, p)).orElseThrow(() -> new NotFound("no pool " + p));
            send(ex, 200, "application/json", MapJson.pool(c.snapshot().revision(), d));
          }
          case "/v1/map/block" -> {
            Cached c = current();
            IpPrefix b = IpPrefix.parse(required(q, "prefix"));
            IpamQueries.PoolView pv =
                c.snapshot().allPools().stream()
                    .filter(v -> v.blocks().stream().anyMatch(x -> x.block().equals(b)))
                    .findFirst()
                    .orElseThrow(() -> new NotFound("no host block " + b));
            PoolDetail d = pool(c, pv.prefix());
            send(
                ex,
                200,
                "application/json",
                MapJson.block(c.snapshot().revision(), d, BlockDetail.of(d, b)));
          }
          case "/v1/map/search" -> {
            Cached c = current();
            String text = q.getOrDefault("q", "");
            send(
                ex,
                200,
                "application/json",
                MapJson.search(
                    c.snapshot().revision(),
                    text,
                    MapSearch.search(c.snapshot(), text, containers)));
          }
          case "/v1/map.svg" ->
              send(
                  ex,
                  200,
                  "image/svg+xml; charset=utf-8",
                  MapSvg.render(current().overview()).getBytes(StandardCharsets.UTF_8));
          default ->
              throw new NotFound(
                  "no "
                      + path
                      + ": use /v1/map, /v1/map/pool?prefix=P, /v1/map/block?prefix=B, /v1/map/search?q=TEXT or /v1/map.svg");
        }
      } catch (NotFound e) {
        send(
            ex,
            404,
            "text/plain; charset=utf-8",
            (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        send(
            ex,
            400,
            "text/plain; charset=utf-8",
            (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
      } catch (Exception e) {
        send(
            ex,
            503,
            "text/plain; charset=utf-8",
            (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private static final class NotFound extends Exception {
    private static final long serialVersionUID = 1L;

    NotFound(String message) {
      super(message);
    }
  }

  private static String required(Map<String, String> q, String name) {
    String v = q.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("missing query parameter " + name);
    }
    return v.strip();
  }

  static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String part : raw.split("&")) {
      int eq = part.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      out.putIfAbsent(k, v);
    }
    return out;
  }

  private static boolean readOnly(HttpExchange ex) throws IOException {
    String m = ex.getRequestMethod();
    if (m.equals("GET") || m.equals("HEAD")) {
      return true;
    }
    ex.getResponseHeaders().set("Allow", "GET, HEAD");
    ex.sendResponseHeaders(405, -1);
    return false;
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body)
      throws IOException {
    var h = ex.getResponseHeaders();
    h.set("Content-Type", type);
    h.set("Cache-Control", "no-cache");
    h.set("X-Content-Type-Options", "nosniff");
    // Everything the page needs comes from this listener; nothing inline, nothing from elsewhere.
    h.set(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    String accept = ex.getRequestHeaders().getFirst("Accept-Encoding");
    if (body.length > 4096 && accept != null && accept.contains("gzip")) {
      ByteArrayOutputStream z = new ByteArrayOutputStream(body.length / 4);
      try (GZIPOutputStream g = new GZIPOutputStream(z)) {
        g.write(body);
      }
      body = z.toByteArray();
      h.set("Content-Encoding", "gzip");
    }
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream o = ex.getResponseBody()) {
        o.write(body);
      }
    }
  }
}
