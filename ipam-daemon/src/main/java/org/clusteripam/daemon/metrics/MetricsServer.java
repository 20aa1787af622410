package org.clusteripam.daemon.metrics;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Serves {@code GET /metrics} in Prometheus text format with the JDK's HTTP server (one thread),
 * and read-only JSON/text endpoints the CLI uses while the daemon holds the embedded store.
 */
public final class MetricsServer implements AutoCloseable {
  private final HttpServer server;

  private MetricsServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Binds {@code address} ({@code host:port}) without serving yet: add endpoints, then {@link
   * #start()}. The scrape callback refreshes gauges before each scrape.
   */
  public static MetricsServer create(
      InetSocketAddress address, PrometheusMeterRegistry registry, Runnable beforeScrape)
      throws IOException {
    HttpServer s = HttpServer.create(address, 16);
    s.createContext(
        "/metrics",
        ex -> {
          try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
              ex.sendResponseHeaders(405, -1);
              return;
            }
            byte[] body;
            try {
              beforeScrape.run();
              body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
              byte[] msg =
                  ("scrape failed: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
              ex.sendResponseHeaders(500, msg.length);
              ex.getResponseBody().write(msg);
              return;
            }
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
              o.write(body);
            }
          }
        });
    return new MetricsServer(s);
  }

  public MetricsServer start() {
    server.start();
    return this;
  }

  /** A read-only endpoint computed per request from its query string. */
  @FunctionalInterface
  public interface Endpoint {
    String answer(String query) throws Exception;
  }

  /** Adds {@code GET path}; a failure answers 503 with its message. */
  public void addEndpoint(String path, Endpoint endpoint) {
    server.createContext(
        path,
        ex -> {
          try (ex) {
            int status = 200;
            String text;
            try {
              text = endpoint.answer(ex.getRequestURI().getQuery());
            } catch (Exception e) {
              status = 503;
              text = e.getMessage() + "\n";
            }
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream o = ex.getResponseBody()) {
              o.write(body);
            }
          }
        });
  }

  /**
   * Adds a handler of its own for {@code path} and everything below it (read-only: it must answer
   * only GET and HEAD).
   */
  public void addHandler(String path, com.sun.net.httpserver.HttpHandler handler) {
    server.createContext(path, handler);
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** Parses {@code host:port}, {@code :port} (loopback) or {@code [v6]:port}. */
  public static InetSocketAddress parse(String spec) {
    int colon = spec.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("--metrics must be HOST:PORT, got \"" + spec + "\"");
    }
    String host = spec.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(spec.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--metrics port must be a number, got \"" + spec + "\"", e);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--metrics port out of range: " + port);
    }
    return new InetSocketAddress(host.isEmpty() ? "127.0.0.1" : host, port);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
