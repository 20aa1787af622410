package org.clusteripam.etcd.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** Runs an operation from N threads for a fixed time and reports rate and latency percentiles. */
final class ConcurrentLoad {
  /** One operation of worker {@code worker}; returns normally on success. */
  interface Op {
    void run(int worker, long iteration) throws Exception;
  }

  record Result(
      int concurrency, long ops, long errors, double seconds, double p50Millis, double p99Millis) {
    double perSecond() {
      return ops / seconds;
    }
  }

  private ConcurrentLoad() {}

  static Result run(int concurrency, long millis, Op op) throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    long[][] latencies = new long[concurrency][];
    int[] counts = new int[concurrency];
    long[] errors = new long[concurrency];
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < concurrency; w++) {
      int id = w;
      latencies[id] = new long[1 << 16];
      Thread t =
          new Thread(
              () -> {
                for (long i = 0; !stop.get(); i++) {
                  long t0 = System.nanoTime();
                  try {
                    op.run(id, i);
                  } catch (Exception e) {
                    errors[id]++;
                    continue;
                  }
                  long d = System.nanoTime() - t0;
                  if (counts[id] == latencies[id].length) {
                    latencies[id] = Arrays.copyOf(latencies[id], counts[id] * 2);
                  }
                  latencies[id][counts[id]++] = d;
                }
              });
      threads.add(t);
    }
    long start = System.nanoTime();
    threads.forEach(Thread::start);
    Thread.sleep(millis);
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    int total = Arrays.stream(counts).sum();
    long[] all = new long[total];
    int at = 0;
    for (int w = 0; w < concurrency; w++) {
      System.arraycopy(latencies[w], 0, all, at, counts[w]);
      at += counts[w];
    }
    Arrays.sort(all);
    return new Result(
        concurrency, total, Arrays.stream(errors).sum(), seconds, pct(all, 0.50), pct(all, 0.99));
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))] / 1e6;
  }
}
