package org.clusteripam.etcd.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.clusteripam.etcd.file.FileStateStore;

/**
 * How much a file-store compaction delays the transactions running beside it. The store holds a
 * large state (so a snapshot takes a while to write) and a small compaction threshold (so it
 * compacts often); writer threads make small transactions. A poller marks the time the snapshot's
 * temp file exists (the snapshot write: encode, write, fsync), which works the same on every
 * version of the store, and transactions overlapping those windows are reported apart.
 *
 * <p>Uses only {@code open}, {@code transact} and {@code compactNow}, so the same class runs
 * against an older ipam-etcd jar for before/after figures. Not a test: run by hand
 * (docs/bench/ipam-etcd.md).
 *
 * <p>Args: seconds (10), writer threads (16), state keys (20000), value bytes (100), compaction
 * threshold bytes (1 MiB).
 */
public final class FileCompactionBench {
  private FileCompactionBench() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int keys = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
    int valueBytes = args.length > 3 ? Integer.parseInt(args[3]) : 100;
    long threshold = args.length > 4 ? Long.parseLong(args[4]) : 1 << 20;
    Path dir = Files.createTempDirectory("fcb");
    try (FileStateStore store = FileStateStore.open(dir, threshold)) {
      byte[] value = new byte[valueBytes];
      Arrays.fill(value, (byte) 'x');
      for (int from = 0; from < keys; from += 1000) {
        int start = from;
        store.transact(
            "load",
            v -> {
              for (int k = start; k < Math.min(keys, start + 1000); k++) {
                v.put("state/" + k, value);
              }
              return null;
            });
      }
      store.compactNow();
      Path tmp = dir.resolve("state.snapshot.tmp");
      List<long[]> windows = new CopyOnWriteArrayList<>();
      AtomicBoolean stop = new AtomicBoolean();
      Thread poller =
          new Thread(
              () -> {
                long since = -1;
                while (!stop.get()) {
                  boolean writing = Files.exists(tmp);
                  long now = System.nanoTime();
                  if (writing && since < 0) {
                    since = now;
                  } else if (!writing && since >= 0) {
                    windows.add(new long[] {since, now});
                    since = -1;
                  }
                  LockSupport.parkNanos(200_000);
                }
              });
      poller.setDaemon(true);
      long[][] samples = new long[threads][];
      int[] counts = new int[threads];
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      List<Thread> writers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        samples[id] = new long[1 << 15];
        Thread w =
            new Thread(
                () -> {
                  int n = 0;
                  for (int i = 0; ; i++) {
                    long t0 = System.nanoTime();
                    if (t0 >= end) {
                      break;
                    }
                    String key = "w/" + id + "/" + (i % 100);
                    store.transact(
                        "write",
                        v -> {
                          v.put(key, ("v" + t0).getBytes(UTF_8));
                          return null;
                        });
                    long t1 = System.nanoTime();
                    if (2 * n + 1 >= samples[id].length) {
                      samples[id] = Arrays.copyOf(samples[id], samples[id].length * 2);
                    }
                    samples[id][2 * n] = t0;
                    samples[id][2 * n + 1] = t1 - t0;
                    n++;
                  }
                  counts[id] = n;
                });
        writers.add(w);
      }
      poller.start();
      writers.forEach(Thread::start);
      for (Thread w : writers) {
        w.join();
      }
      stop.set(true);
      poller.join();
      report(
          seconds,
          threads,
          keys,
          valueBytes,
          threshold,
          samples,
          counts,
          windows,
          Files.size(dir.resolve("state.snapshot")));
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void report(
      int seconds,
      int threads,
      int keys,
      int valueBytes,
      long threshold,
      long[][] samples,
      int[] counts,
      List<long[]> windows,
      long snapshotBytes) {
    int total = Arrays.stream(counts).sum();
    long[] all = new long[total];
    long[] during = new long[total];
    int k = 0;
    int d = 0;
    for (int t = 0; t < samples.length; t++) {
      for (int j = 0; j < counts[t]; j++) {
        long t0 = samples[t][2 * j];
        long took = samples[t][2 * j + 1];
        all[k++] = took;
        for (long[] w : windows) {
          if (t0 <= w[1] && t0 + took >= w[0]) {
            during[d++] = took;
            break;
          }
        }
      }
    }
    Arrays.sort(all);
    long[] in = Arrays.copyOf(during, d);
    Arrays.sort(in);
    double meanWindow = windows.stream().mapToLong(w -> w[1] - w[0]).average().orElse(0) / 1e6;
    System.out.printf(
        "%d writers, %,d keys x %d B (snapshot %,d B), threshold %,d B, %d s: %,.0f txn/s%n",
        threads, keys, valueBytes, snapshotBytes, threshold, seconds, total / (double) seconds);
    System.out.printf(
        "  all txns:            p50 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms%n",
        pct(all, 0.5), pct(all, 0.99), pct(all, 0.999), pct(all, 1));
    System.out.printf(
        "  %d snapshot writes (mean %.1f ms); %,d txns overlap one: p50 %.3f ms  p99 %.3f ms  max %.3f ms%n",
        windows.size(), meanWindow, d, pct(in, 0.5), pct(in, 0.99), pct(in, 1));
  }

  private static double pct(long[] sorted, double p) {
    return sorted.length == 0
        ? Double.NaN
        : sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))] / 1e6;
  }
}
