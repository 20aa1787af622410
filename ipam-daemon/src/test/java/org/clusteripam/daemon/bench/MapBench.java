package org.clusteripam.daemon.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.store.Versioned;
import org.clusteripam.daemon.map.MapPageTimings;
import org.clusteripam.daemon.serve.DaemonProcess;
import org.clusteripam.etcd.file.FileStateStore;

/**
 * The address map at scale (a benchmark, not a test): 4,000 pools of 20 hosts holding 100,000
 * addresses, made through real engines, served by a real daemon on the embedded store, loaded in
 * headless chromium. Prints the JSON sizes and server times of every endpoint the page uses, the
 * page's load time, its JS heap and DOM size.
 *
 * <p>Run: {@code java -cp <test classpath> org.clusteripam.daemon.bench.MapBench [pools]
 * [addresses]}
 */
public final class MapBench {
  static final IpPrefix SUPERNET = IpPrefix.parse("10.64.0.0/12");
  static final int HOSTS = 20;

  public static void main(String[] args) throws Exception {
    int pools = args.length > 0 ? Integer.parseInt(args[0]) : 4000;
    int addresses = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    Path dir = Files.createTempDirectory("mapbench");
    long t0 = System.nanoTime();
    InMemoryStateStore mem = new InMemoryStateStore();
    IpamConfig config = IpamConfig.builder().supernet(SUPERNET).build();
    List<IpamEngine> hosts = new ArrayList<>();
    for (int h = 0; h < HOSTS; h++) {
      hosts.add(IpamEngine.open(mem, config, Clock.systemUTC()));
    }
    int made = 0;
    for (int i = 0; i < pools; i++) {
      int share = addresses / pools + (i == 0 ? addresses % pools : 0);
      int holders = i % 4 == 0 ? 3 : 2;
      for (int k = 0; k < holders; k++) {
        IpamEngine e = hosts.get((i + k) % HOSTS);
        HostId host = new HostId("bench-" + ((i + k) % HOSTS));
        PoolGrant g =
            e.driver()
                .requestPool(
                    new PoolRequest(
                        host,
                        e.driver().addressSpaces().local(),
                        i == 0 || k == 0 ? Optional.empty() : Optional.of(poolOf(i, hosts)),
                        Optional.empty(),
                        Map.of("network", "net-" + i),
                        false));
        if (k == 0) {
          e.driver()
              .requestAddress(
                  new AddressRequest(
                      host, g.id(), Optional.empty(), AddressKind.GATEWAY, Map.of()));
          made++;
          PREFIXES.add(g.pool());
        }
        int n =
            k == holders - 1
                ? share - 1 - (share - 1) / holders * (holders - 1)
                : (share - 1) / holders;
        for (int a = 0; a < n; a++) {
          e.driver()
              .requestAddress(
                  new AddressRequest(
                      host, g.id(), Optional.empty(), AddressKind.ENDPOINT, Map.of()));
          made++;
        }
      }
    }
    System.out.printf(
        "state: %d pools, %d addresses made in %d ms (in memory)%n", pools, made, ms(t0));
    long t1 = System.nanoTime();
    SortedMap<String, Versioned> all = mem.list("");
    try (FileStateStore file = FileStateStore.open(dir.resolve("state"))) {
      List<Map.Entry<String, Versioned>> entries = new ArrayList<>(all.entrySet());
      for (int from = 0; from < entries.size(); from += 500) {
        List<Map.Entry<String, Versioned>> chunk =
            entries.subList(from, Math.min(entries.size(), from + 500));
        file.transact(
            "copy",
            v -> {
              chunk.forEach(en -> v.put(en.getKey(), en.getValue().value()));
              return null;
            });
      }
    }
    System.out.printf("copied %d keys to the file store in %d ms%n", all.size(), ms(t1));

    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path socket = dir.resolve("p.sock");
    try (DaemonProcess d =
        DaemonProcess.start(
            dir.resolve("daemon.log"),
            "--socket",
            socket.toString(),
            "--state-dir",
            dir.resolve("state").toString(),
            "--node-id",
            "bench-0",
            "--docker-host",
            "unix://" + dir.resolve("none.sock"),
            "--metrics",
            "127.0.0.1:" + port,
            "--supernet",
            SUPERNET.toString(),
            "--lb-interval",
            "PT1H",
            "--reconcile-interval",
            "PT1H")) {
      d.awaitSocket(socket, Duration.ofSeconds(60));
      String base = "http://127.0.0.1:" + port;
      HttpClient http = HttpClient.newHttpClient();
      waitFor(http, base + "/metrics");
      ObjectMapper m = new ObjectMapper();
      Measured cold = get(http, base + "/v1/map", false, null);
      Measured warm = get(http, base + "/v1/map", false, null);
      Measured gz = get(http, base + "/v1/map", true, null);
      Measured notModified = get(http, base + "/v1/map", false, cold.etag);
      System.out.printf(
          "/v1/map: %,d bytes (%,d gzip); first (snapshot + layout) %d ms, cached %d ms, unchanged poll (304) %d ms%n",
          cold.bytes, gz.bytes, cold.ms, warm.ms, notModified.ms);
      JsonNode overview = m.readTree(warm.body);
      String pool =
          overview.path("tiles").get(0).path("pools").get(pools / 2).path("prefix").asText();
      Measured p = get(http, base + "/v1/map/pool?prefix=" + pool, false, null);
      String block = m.readTree(p.body).path("blocks").get(0).path("block").asText();
      Measured b = get(http, base + "/v1/map/block?prefix=" + block, false, null);
      Measured s = get(http, base + "/v1/map/search?q=bench-7", false, null);
      Measured svg = get(http, base + "/v1/map.svg", false, null);
      System.out.printf(
          "/v1/map/pool: %,d bytes in %d ms; /v1/map/block: %,d bytes in %d ms; /v1/map/search?q=bench-7: %,d bytes in %d ms; /v1/map.svg: %,d bytes in %d ms%n",
          p.bytes, p.ms, b.bytes, b.ms, s.bytes, s.ms, svg.bytes, svg.ms);
      MapPageTimings.measure(dir, base, pool, block);
      d.stop(Duration.ofSeconds(20));
    }
  }

  static final List<IpPrefix> PREFIXES = new ArrayList<>();

  private static IpPrefix poolOf(int i, List<IpamEngine> hosts) {
    return PREFIXES.get(i);
  }

  record Measured(long bytes, long ms, String body, String etag) {}

  private static Measured get(HttpClient http, String url, boolean gzip, String etag)
      throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url));
    if (gzip) {
      r.header("Accept-Encoding", "gzip");
    }
    if (etag != null) {
      r.header("If-None-Match", etag);
    }
    long t = System.nanoTime();
    HttpResponse<byte[]> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    long took = ms(t);
    return new Measured(
        resp.body().length,
        took,
        gzip ? "" : new String(resp.body(), java.nio.charset.StandardCharsets.UTF_8),
        resp.headers().firstValue("ETag").orElse(null));
  }

  private static void waitFor(HttpClient http, String url) throws Exception {
    for (int i = 0; i < 600; i++) {
      try {
        http.send(
            HttpRequest.newBuilder(URI.create(url)).build(),
            HttpResponse.BodyHandlers.discarding());
        return;
      } catch (java.io.IOException e) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException(url + " never answered");
  }

  private static long ms(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
