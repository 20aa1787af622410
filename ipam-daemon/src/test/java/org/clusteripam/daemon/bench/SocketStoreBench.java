package org.clusteripam.daemon.bench;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.daemon.serve.DriverChain;
import org.clusteripam.daemon.serve.HostLease;
import org.clusteripam.docker.client.UnixHttpClient;
import org.clusteripam.docker.server.PluginServer;
import org.clusteripam.etcd.EtcdStateStore;
import org.clusteripam.etcd.EtcdStoreConfig;
import org.clusteripam.etcd.EtcdStoreStats;
import org.clusteripam.etcd.file.FileStateStore;
import org.clusteripam.etcd.file.FileStoreStats;
import org.clusteripam.testkit.etcd.EtcdProcess;

/**
 * RequestAddress + ReleaseAddress round trips over the plugin's Unix socket, wired as {@code serve}
 * wires it (store → engine → DriverChain → PluginServer), on the in-memory store, the embedded file
 * store (real fsync) and etcd (a real {@code /usr/bin/etcd} this run starts and stops), with 1 and
 * 32 concurrent dockerd-like clients. Prints pairs/s, latency percentiles, store work per pair and
 * CPU per pair. Not a test: run by hand (see docs/bench/socket-stores.md).
 *
 * <p>Args: warm-up seconds (default 3), measured seconds (default 8), and optionally which stores
 * to run as a comma-separated list of {@code memory}, {@code file}, {@code etcd} (default all
 * three).
 */
public final class SocketStoreBench {
  private static final java.time.Duration TIMEOUT = java.time.Duration.ofSeconds(30);

  private static final HostId NODE = new HostId("bench-node");
  private static final int[] CLIENTS = {1, 32};
  private static final long CLK_TCK = 100; // getconf CLK_TCK on Linux

  private SocketStoreBench() {}

  /** One measured pass. {@code storeWork} describes the store's round trips or fsyncs per pair. */
  private record Row(
      String store,
      int clients,
      double pairsPerSec,
      double p50,
      double p99,
      double p999,
      long pairs,
      String storeWork,
      double jvmCpuUsPerPair,
      double etcdCpuUsPerPair,
      String load,
      String duringCompaction) {}

  /** What a store kind exposes about its work, sampled at the edges of the measured window. */
  private interface Probe {
    long[] sample();

    String describe(long[] before, long[] after, long pairs);

    /**
     * Intervals {@code [from, to]} ({@code System.nanoTime}) during which the store was compacting.
     */
    default List<long[]> compactions() {
      return List.of();
    }
  }

  public static void main(String[] args) throws Exception {
    int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int measure = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    List<String> stores = List.of((args.length > 2 ? args[2] : "memory,file,etcd").split(","));
    System.out.printf(
        "java %s, %d CPUs, warm-up %d s, measured %d s, load average at start: %s%n",
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        warmup,
        measure,
        loadAverage());
    Path dir = Files.createTempDirectory("ssb");
    List<Row> rows = new ArrayList<>();
    EventLoopGroup clientLoop =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("bench-http-client", true), NioIoHandler.newFactory());
    EtcdProcess etcd = null;
    try {
      for (int clients : stores.contains("memory") ? CLIENTS : new int[0]) {
        rows.add(
            pass(
                "in-memory",
                new InMemoryStateStore(),
                noProbe(),
                -1,
                dir,
                clients,
                warmup,
                measure,
                clientLoop));
      }
      for (int clients : stores.contains("file") ? CLIENTS : new int[0]) {
        FileStateStore store = FileStateStore.open(dir.resolve("file-" + clients));
        try (FileProbe probe = new FileProbe(store)) {
          rows.add(
              pass("file (fsync)", store, probe, -1, dir, clients, warmup, measure, clientLoop));
        }
      }
      if (stores.contains("etcd")) {
        etcd = EtcdProcess.start();
        System.out.println("etcd " + etcd.endpoint() + " pid " + etcd.pid());
        for (int clients : CLIENTS) {
          EtcdStateStore store =
              EtcdStateStore.connect(
                  EtcdStoreConfig.of(etcd.endpoint()).withPrefix("/bench-" + clients + "/"));
          rows.add(
              pass(
                  "etcd",
                  store,
                  etcdProbe(store),
                  etcd.pid(),
                  dir,
                  clients,
                  warmup,
                  measure,
                  clientLoop));
        }
      }
    } finally {
      if (etcd != null) {
        etcd.close();
      }
      clientLoop
          .shutdownGracefully(0, 1, TimeUnit.SECONDS)
          .awaitUninterruptibly(3, TimeUnit.SECONDS);
      deleteTree(dir);
    }
    System.out.println();
    System.out.println(
        "| store | clients | pairs/s | p50 | p99 | p99.9 | pairs | store work per pair | JVM CPU/pair | etcd CPU/pair | load avg (1m) |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    for (Row r : rows) {
      System.out.printf(
          "| %s | %d | %,.0f | %.3f ms | %.3f ms | %.3f ms | %,d | %s | %.0f µs | %s | %s |%n",
          r.store,
          r.clients,
          r.pairsPerSec,
          r.p50,
          r.p99,
          r.p999,
          r.pairs,
          r.storeWork,
          r.jvmCpuUsPerPair,
          r.etcdCpuUsPerPair < 0 ? "–" : String.format("%.0f µs", r.etcdCpuUsPerPair),
          r.load);
    }
    for (Row r : rows) {
      if (!r.duringCompaction.equals("–")) {
        System.out.printf(
            "%s, %d clients, during compaction: %s%n", r.store, r.clients, r.duringCompaction);
      }
    }
  }

  private static Row pass(
      String name,
      StateStore store,
      Probe probe,
      long etcdPid,
      Path dir,
      int clients,
      int warmup,
      int measure,
      EventLoopGroup clientLoop)
      throws Exception {
    Path socket = dir.resolve(name.charAt(0) + "" + clients + ".sock");
    try (store) {
      // As Daemon.start: engine on the store, the host lease, the timing decorator, the socket.
      DriverIpam engine = IpamEngine.open(store, IpamConfig.defaults(), Clock.systemUTC()).driver();
      store.keepAlive(
          HostLease.key(NODE),
          ("{\"node\":\"" + NODE.value() + "\",\"pid\":" + ProcessHandle.current().pid() + "}")
              .getBytes(StandardCharsets.UTF_8),
          HostLease.TTL);
      org.clusteripam.core.ipam.Ipam timed =
          DriverChain.served(
              engine,
              new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
              java.util.Optional::empty,
              Clock.systemUTC(),
              java.time.Duration.ofMinutes(1));
      try (PluginServer server = PluginServer.start(socket, timed, NODE)) {
        String poolId;
        try (UnixHttpClient c = UnixHttpClient.connect(socket, clientLoop)) {
          String pool =
              c.postOk(
                  "/IpamDriver.RequestPool",
                  "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.90.0.0/16\",\"SubPool\":\"\",\"Options\":{},\"V6\":false}\n",
                  TIMEOUT);
          poolId = field(pool, "PoolID");
        }
        List<UnixHttpClient> connections = new ArrayList<>();
        try {
          for (int i = 0; i < clients; i++) {
            connections.add(UnixHttpClient.connect(socket, clientLoop));
          }
          return measure(name, clients, warmup, measure, connections, poolId, probe, etcdPid);
        } finally {
          connections.forEach(UnixHttpClient::close);
        }
      }
    }
  }

  private static Row measure(
      String name,
      int clients,
      int warmup,
      int measure,
      List<UnixHttpClient> connections,
      String poolId,
      Probe probe,
      long etcdPid)
      throws Exception {
    String request = "{\"PoolID\":\"" + poolId + "\",\"Address\":\"\",\"Options\":null}\n";
    long start = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
    long end = start + TimeUnit.SECONDS.toNanos(measure);
    LongAdder completed = new LongAdder();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(clients);
    List<long[]> samples = new ArrayList<>();
    int[] counts = new int[clients];
    for (int i = 0; i < clients; i++) {
      int id = i;
      UnixHttpClient c = connections.get(i);
      samples.add(new long[1 << 14]);
      Thread t =
          new Thread(
              () -> {
                try {
                  long[] mine = samples.get(id);
                  int n = 0;
                  while (true) {
                    long t0 = System.nanoTime();
                    if (t0 >= end || failure.get() != null) {
                      break;
                    }
                    String address =
                        field(c.postOk("/IpamDriver.RequestAddress", request, TIMEOUT), "Address");
                    String ip = address.substring(0, address.indexOf('/'));
                    String released =
                        c.postOk(
                            "/IpamDriver.ReleaseAddress",
                            "{\"PoolID\":\"" + poolId + "\",\"Address\":\"" + ip + "\"}\n",
                            TIMEOUT);
                    if (!released.strip().equals("{}")) {
                      throw new IllegalStateException("release of " + ip + " failed: " + released);
                    }
                    long t1 = System.nanoTime();
                    completed.increment();
                    if (t0 >= start) {
                      if (2 * n + 1 >= mine.length) {
                        mine = Arrays.copyOf(mine, mine.length * 2);
                        samples.set(id, mine);
                      }
                      mine[2 * n] = t0;
                      mine[2 * n + 1] = t1 - t0;
                      n++;
                    }
                  }
                  counts[id] = n;
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                } finally {
                  done.countDown();
                }
              },
              "bench-client-" + i);
      t.setDaemon(true);
      t.start();
    }
    sleepUntil(start);
    long pairs0 = completed.sum();
    long[] probe0 = probe.sample();
    long jvm0 = cpuTicks(ProcessHandle.current().pid());
    long etcd0 = etcdPid > 0 ? cpuTicks(etcdPid) : 0;
    String load0 = loadAverage();
    sleepUntil(end);
    long pairs1 = completed.sum();
    long[] probe1 = probe.sample();
    long jvm1 = cpuTicks(ProcessHandle.current().pid());
    long etcd1 = etcdPid > 0 ? cpuTicks(etcdPid) : 0;
    String load1 = loadAverage();
    if (!done.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("clients did not finish within 60 s of the window");
    }
    if (failure.get() != null) {
      throw new IllegalStateException(name + " with " + clients + " clients failed", failure.get());
    }
    long total = Arrays.stream(counts).asLongStream().sum();
    long[] all = new long[(int) total];
    List<long[]> windows =
        probe.compactions().stream().filter(w -> w[1] >= start && w[0] <= end).toList();
    long[] inCompaction = new long[(int) total];
    int k = 0;
    int c = 0;
    for (int i = 0; i < clients; i++) {
      long[] mine = samples.get(i);
      for (int j = 0; j < counts[i]; j++) {
        long t0 = mine[2 * j];
        long d = mine[2 * j + 1];
        all[k++] = d;
        if (overlaps(windows, t0, t0 + d)) {
          inCompaction[c++] = d;
        }
      }
    }
    Arrays.sort(all);
    long[] during = Arrays.copyOf(inCompaction, c);
    Arrays.sort(during);
    String duringCompaction =
        windows.isEmpty()
            ? "–"
            : String.format(
                "%d compactions, %,d pairs overlap one: p50 %.3f ms, p99 %.3f ms, max %.3f ms",
                windows.size(),
                c,
                pct(during, 0.5),
                pct(during, 0.99),
                c == 0 ? Double.NaN : during[c - 1] / 1e6);
    long windowPairs = Math.max(1, pairs1 - pairs0);
    double usPerTick = 1e6 / CLK_TCK;
    Row r =
        new Row(
            name,
            clients,
            total / (double) measure,
            pct(all, 0.50),
            pct(all, 0.99),
            pct(all, 0.999),
            total,
            probe.describe(probe0, probe1, windowPairs),
            (jvm1 - jvm0) * usPerTick / windowPairs,
            etcdPid > 0 ? (etcd1 - etcd0) * usPerTick / windowPairs : -1,
            load0.split(" ")[0] + "→" + load1.split(" ")[0],
            duringCompaction);
    System.out.printf(
        "%-13s %2d clients: %8.0f pairs/s  p50 %7.3f ms  p99 %7.3f ms  p99.9 %7.3f ms  %s%n",
        name, clients, r.pairsPerSec, r.p50, r.p99, r.p999, r.storeWork);
    if (!windows.isEmpty()) {
      System.out.println("    during compaction: " + duringCompaction);
    }
    return r;
  }

  private static Probe noProbe() {
    return new Probe() {
      public long[] sample() {
        return new long[0];
      }

      public String describe(long[] before, long[] after, long pairs) {
        return "–";
      }
    };
  }

  /**
   * The file store's {@code stats()} at the window's edges, and a thread polling them every
   * millisecond to find when compactions ran.
   */
  private static final class FileProbe implements Probe, AutoCloseable {
    private final FileStateStore store;
    private final List<long[]> windows = new CopyOnWriteArrayList<>();
    private final Thread poller;
    private volatile boolean stop;

    FileProbe(FileStateStore store) {
      this.store = store;
      this.poller = new Thread(this::poll, "bench-compaction-poller");
      poller.setDaemon(true);
      poller.start();
    }

    private void poll() {
      long since = -1;
      long seen = store.stats().compactions();
      long last = System.nanoTime();
      while (!stop) {
        LockSupport.parkNanos(1_000_000);
        FileStoreStats s = store.stats();
        long now = System.nanoTime();
        if (s.compacting() && since < 0) {
          since = now;
        }
        if (s.compactions() > seen) {
          // one ended since the last look (or started and ended between two looks)
          windows.add(new long[] {since < 0 ? last : since, now});
          seen = s.compactions();
          since = s.compacting() ? now : -1;
        }
        last = now;
      }
    }

    @Override
    public long[] sample() {
      FileStoreStats s = store.stats();
      return new long[] {
        s.transactions(),
        s.groupCommits(),
        s.fsyncs(),
        s.logBytesWritten(),
        s.compactions(),
        s.compactionNanos(),
        s.maxCompactionNanos(),
        s.maxSwitchNanos(),
        s.snapshotSize()
      };
    }

    @Override
    public String describe(long[] b, long[] a, long pairs) {
      long compactions = a[4] - b[4];
      return String.format(
          "%.2f txns, %.2f group commits, %.2f fsyncs, %,.0f log bytes; %d compactions (mean %.1f ms, max %.1f ms, "
              + "lock held ≤ %.2f ms), snapshot %,d B",
          (a[0] - b[0]) / (double) pairs,
          (a[1] - b[1]) / (double) pairs,
          (a[2] - b[2]) / (double) pairs,
          (a[3] - b[3]) / (double) pairs,
          compactions,
          compactions == 0 ? 0 : (a[5] - b[5]) / 1e6 / compactions,
          a[6] / 1e6,
          a[7] / 1e6,
          a[8]);
    }

    @Override
    public List<long[]> compactions() {
      return List.copyOf(windows);
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      poller.join();
    }
  }

  private static Probe etcdProbe(EtcdStateStore store) {
    return new Probe() {
      public long[] sample() {
        EtcdStoreStats s = store.stats();
        return new long[] {
          s.roundTrips(), s.etcdTxns(), s.transacts(), s.conflicts(), s.largestBatch()
        };
      }

      public String describe(long[] b, long[] a, long pairs) {
        return String.format(
            "%.2f etcd round trips (%.2f txns, %.2f transacts, %d conflicts, largest batch %d)",
            (a[0] - b[0]) / (double) pairs,
            (a[1] - b[1]) / (double) pairs,
            (a[2] - b[2]) / (double) pairs,
            a[3] - b[3],
            a[4]);
      }
    };
  }

  /** The value of string field {@code name} in a flat JSON response. */
  private static String field(String json, String name) {
    String key = "\"" + name + "\":\"";
    int i = json.indexOf(key);
    if (i < 0) {
      throw new IllegalStateException("no " + name + " in response: " + json);
    }
    int from = i + key.length();
    return json.substring(from, json.indexOf('"', from));
  }

  /** True when {@code [from, to]} intersects one of the (sorted) windows. */
  private static boolean overlaps(List<long[]> windows, long from, long to) {
    for (long[] w : windows) {
      if (from <= w[1] && to >= w[0]) {
        return true;
      }
    }
    return false;
  }

  private static double pct(long[] sorted, double p) {
    return sorted.length == 0
        ? Double.NaN
        : sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))] / 1e6;
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }

  /** utime + stime of a process, in clock ticks (all its threads). */
  private static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (Exception e) {
      return 0;
    }
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "?";
    }
  }

  private static void deleteTree(Path dir) throws Exception {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
