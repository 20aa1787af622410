package org.clusteripam.docker.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.docker.client.UnixHttpClient;
import org.clusteripam.docker.protocol.DriverProtocol;
import org.clusteripam.docker.server.PluginServer;

/**
 * RequestAddress + ReleaseAddress round trips over the plugin socket, as dockerd sends them (one
 * keep-alive connection per client, one call at a time), against the real engine on the in-memory
 * store. Prints pairs per second and latency percentiles for 1 and 32 concurrent clients, and the
 * same pair through {@link DriverProtocol} without HTTP for comparison. Not a test: run by hand.
 *
 * <p>Args: warm-up seconds (default 3), measured seconds (default 5).
 */
public final class PluginServerBench {
  private static final HostId NODE = new HostId("bench-node");

  public static void main(String[] args) throws Exception {
    int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int measure = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    System.out.printf(
        "java %s, %d CPUs, warm-up %d s, measured %d s%n",
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        warmup,
        measure);
    Path dir = Files.createTempDirectory("ipam-bench");
    try {
      for (int clients : new int[] {1, 32}) {
        overSocket(dir, clients, warmup, measure);
      }
      withoutHttp(warmup, measure);
    } finally {
      try (var files = Files.list(dir)) {
        files.forEach(p -> p.toFile().delete());
      }
      Files.deleteIfExists(dir);
    }
  }

  private static void overSocket(Path dir, int clients, int warmup, int measure) throws Exception {
    InMemoryStateStore store = new InMemoryStateStore();
    DriverIpam ipam = IpamEngine.open(store, IpamConfig.defaults(), Clock.systemUTC()).driver();
    // One client I/O thread for all connections, as dockerd multiplexes goroutines on few threads.
    EventLoopGroup clientLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try (PluginServer server =
        PluginServer.start(dir.resolve("b" + clients + ".sock"), ipam, NODE)) {
      String poolId;
      try (UnixHttpClient c = UnixHttpClient.connect(server.socketPath())) {
        poolId =
            object(
                    c.post(
                            "/IpamDriver.RequestPool",
                            "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.90.0.0/16\",\"SubPool\":\"\",\"Options\":{},\"V6\":false}\n")
                        .body())
                .getString("PoolID");
      }
      Result r =
          run(
              clients,
              warmup,
              measure,
              () -> {
                UnixHttpClient c = UnixHttpClient.connect(server.socketPath(), clientLoop);
                return () -> {
                  String address =
                      object(
                              c.post(
                                      "/IpamDriver.RequestAddress",
                                      "{\"PoolID\":\""
                                          + poolId
                                          + "\",\"Address\":\"\",\"Options\":null}\n")
                                  .body())
                          .getString("Address");
                  String ip = address.substring(0, address.indexOf('/'));
                  String released =
                      c.post(
                              "/IpamDriver.ReleaseAddress",
                              "{\"PoolID\":\"" + poolId + "\",\"Address\":\"" + ip + "\"}\n")
                          .body();
                  if (!released.equals("{}")) {
                    throw new IllegalStateException("release failed: " + released);
                  }
                };
              });
      r.print("socket, in-memory store, " + clients + (clients == 1 ? " client " : " clients"));
    } finally {
      clientLoop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  private static void withoutHttp(int warmup, int measure) throws Exception {
    InMemoryStateStore store = new InMemoryStateStore();
    DriverIpam ipam = IpamEngine.open(store, IpamConfig.defaults(), Clock.systemUTC()).driver();
    DriverProtocol protocol = new DriverProtocol(ipam, NODE);
    String poolId =
        object(
                protocol
                    .handle(
                        "/IpamDriver.RequestPool",
                        bytes("{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.90.0.0/16\"}"))
                    .json())
            .getString("PoolID");
    Result r =
        run(
            1,
            warmup,
            measure,
            () ->
                () -> {
                  String address =
                      object(
                              protocol
                                  .handle(
                                      "/IpamDriver.RequestAddress",
                                      bytes(
                                          "{\"PoolID\":\""
                                              + poolId
                                              + "\",\"Address\":\"\",\"Options\":null}"))
                                  .json())
                          .getString("Address");
                  protocol.handle(
                      "/IpamDriver.ReleaseAddress",
                      bytes(
                          "{\"PoolID\":\""
                              + poolId
                              + "\",\"Address\":\""
                              + address.substring(0, address.indexOf('/'))
                              + "\"}"));
                });
    r.print("DriverProtocol without HTTP, 1 thread");
  }

  interface Pair {
    void run() throws Exception;
  }

  interface PairFactory {
    Pair open() throws Exception;
  }

  private record Result(long pairs, double seconds, long[] nanos) {
    void print(String label) {
      Arrays.sort(nanos);
      System.out.printf(
          "%-44s %9.0f pairs/s   p50 %7.3f ms   p99 %7.3f ms   p99.9 %7.3f ms   (%d pairs)%n",
          label, pairs / seconds, pct(0.50), pct(0.99), pct(0.999), pairs);
    }

    private double pct(double p) {
      return nanos.length == 0
          ? Double.NaN
          : nanos[Math.min(nanos.length - 1, (int) (p * nanos.length))] / 1e6;
    }
  }

  private static Result run(int clients, int warmup, int measure, PairFactory factory)
      throws Exception {
    List<Thread> threads = new ArrayList<>();
    List<long[]> samples = new ArrayList<>();
    long[] counts = new long[clients];
    CountDownLatch ready = new CountDownLatch(clients);
    long[] window = new long[2];
    Throwable[] failure = new Throwable[1];
    for (int i = 0; i < clients; i++) {
      int id = i;
      long[] mine = new long[4_000_000];
      samples.add(mine);
      Pair pair = factory.open();
      Thread t =
          new Thread(
              () -> {
                ready.countDown();
                try {
                  ready.await();
                  long start = window[0];
                  long end = window[1];
                  int n = 0;
                  while (true) {
                    long t0 = System.nanoTime();
                    if (t0 >= end) {
                      break;
                    }
                    pair.run();
                    long t1 = System.nanoTime();
                    if (t0 >= start && n < mine.length) {
                      mine[n++] = t1 - t0;
                    }
                  }
                  counts[id] = n;
                } catch (Throwable e) {
                  failure[0] = e;
                }
              },
              "bench-client-" + i);
      threads.add(t);
    }
    long now = System.nanoTime();
    window[0] = now + warmup * 1_000_000_000L;
    window[1] = window[0] + measure * 1_000_000_000L;
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    if (failure[0] != null) {
      throw new IllegalStateException("benchmark client failed", failure[0]);
    }
    long total = Arrays.stream(counts).sum();
    long[] all = new long[(int) total];
    int k = 0;
    for (int i = 0; i < clients; i++) {
      System.arraycopy(samples.get(i), 0, all, k, (int) counts[i]);
      k += (int) counts[i];
    }
    return new Result(total, measure, all);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static JsonObject object(String text) {
    try (var r = jakarta.json.Json.createReader(new StringReader(text))) {
      return r.readObject();
    }
  }
}
