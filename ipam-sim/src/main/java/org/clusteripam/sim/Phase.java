package org.clusteripam.sim;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.clusteripam.etcd.EtcdStoreStats;

/**
 * One measured workload: a task per host, all released at once by a start gate, on the fleet's
 * bounded executor. Each operation a task times through {@link #op} counts toward the row; the
 * store counters are the difference of every host's {@link EtcdStoreStats} around the phase.
 */
final class Phase {
  /** What a host does in a phase; its operations go through {@link Phase#op}. */
  interface HostTask {
    void run(SimHost host, Phase phase) throws Exception;
  }

  private static final int MAX_ERRORS = 5;

  private final String name;
  private final ConcurrentLinkedQueue<long[]> chunks = new ConcurrentLinkedQueue<>();
  private final AtomicLong ops = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** How many failures each error had (its message with the numbers taken out). */
  private final java.util.Map<String, AtomicLong> shapes =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final ThreadLocal<long[]> local = new ThreadLocal<>();
  private final ThreadLocal<int[]> localFill = ThreadLocal.withInitial(() -> new int[1]);

  private Phase(String name) {
    this.name = name;
  }

  /**
   * Runs {@code task} for every host at once (as far as {@code workers} allows) and returns the
   * row.
   */
  static Row run(String name, Fleet fleet, List<SimHost> hosts, HostTask task) {
    Phase p = new Phase(name);
    ExecutorService workers = fleet.workers();
    EtcdStoreStats before = fleet.stats();
    long cpu0 = cpuNanos();
    CpuSplit split = CpuSplit.start(cpu0);
    CountDownLatch gate = new CountDownLatch(1);
    List<CompletableFuture<Void>> fs = new ArrayList<>(hosts.size());
    for (SimHost h : hosts) {
      fs.add(
          CompletableFuture.runAsync(
              () -> {
                try {
                  gate.await();
                  task.run(h, p);
                } catch (Exception | Error e) {
                  p.fail(e); // a task that gives up counts once
                } finally {
                  p.flush();
                }
              },
              workers));
    }
    long t0 = System.nanoTime();
    gate.countDown();
    try {
      CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
    } catch (Exception e) {
      p.fail(e);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    EtcdStoreStats d = fleet.stats().minus(before);
    long cpu1 = cpuNanos();
    return p.row(hosts.size(), seconds, d, (cpu1 - cpu0) / 1e9, split.since(cpu1));
  }

  /** Times one operation; a thrown exception is a failed operation and returns null. */
  <T> T op(Supplier<T> call) {
    long t0 = System.nanoTime();
    try {
      T r = call.get();
      record(System.nanoTime() - t0);
      return r;
    } catch (RuntimeException e) {
      record(System.nanoTime() - t0);
      fail(e);
      return null;
    }
  }

  /** Times an operation without a result; whether it succeeded. */
  boolean run(Runnable call) {
    return op(
            () -> {
              call.run();
              return Boolean.TRUE;
            })
        != null;
  }

  /** A failure found by a check rather than thrown (e.g. a duplicate address). */
  void fail(String message) {
    failures.incrementAndGet();
    if (errors.size() < MAX_ERRORS) {
      errors.add(message);
    }
  }

  private void fail(Throwable e) {
    Throwable c =
        e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
            ? e.getCause()
            : e;
    String msg = c.getClass().getSimpleName() + ": " + c.getMessage();
    failures.incrementAndGet();
    // the same error with other timings or names is not new
    String shape = msg.replaceAll("[0-9]+", "N");
    shapes.computeIfAbsent(shape, k -> new AtomicLong()).incrementAndGet();
    if (errors.size() < MAX_ERRORS
        && errors.stream().noneMatch(m -> m.replaceAll("[0-9]+", "N").equals(shape))) {
      errors.add(msg);
    }
  }

  private void record(long nanos) {
    ops.incrementAndGet();
    long[] c = local.get();
    int[] n = localFill.get();
    if (c == null || n[0] == c.length) {
      if (c != null) {
        chunks.add(c);
      }
      c = new long[256];
      local.set(c);
      n[0] = 0;
    }
    c[n[0]++] = nanos;
  }

  /** Hands this thread's partly filled chunk over (worker threads outlive the phase). */
  private void flush() {
    long[] c = local.get();
    if (c != null) {
      int n = localFill.get()[0];
      chunks.add(Arrays.copyOf(c, n));
      local.remove();
      localFill.remove();
    }
  }

  private Row row(int hosts, double seconds, EtcdStoreStats d, double cpuSeconds, String cpuSplit) {
    long[] all = chunks.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    long n = ops.get();
    double per = Math.max(1, n);
    return new Row(
        name,
        hosts,
        n,
        failures.get(),
        seconds,
        pct(all, 0.50),
        pct(all, 0.99),
        all.length == 0 ? 0 : all[all.length - 1] / 1e6,
        d.conflicts() / per,
        d.retries() / per,
        d.bytesWritten() / per,
        d.roundTrips() / per,
        cpuSeconds,
        cpuSplit,
        counted());
  }

  /** The first distinct errors, each with how many failures had its shape. */
  private List<String> counted() {
    List<String> out = new java.util.ArrayList<>();
    for (String m : errors) {
      AtomicLong n = shapes.get(m.replaceAll("[0-9]+", "N"));
      out.add(n == null ? m : n.get() + "× " + m);
    }
    return out;
  }

  private static double pct(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
    return sorted[Math.max(0, i)] / 1e6;
  }

  private static long cpuNanos() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return 0;
  }
}
