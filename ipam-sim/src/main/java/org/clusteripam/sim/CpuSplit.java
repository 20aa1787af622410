package org.clusteripam.sim;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where the simulator's CPU went during a phase, by thread kind: the stores' group committers
 * (transaction functions, encoding), gRPC/Netty (the wire and every store's watch feed), the host
 * operation tasks (the engines outside transactions), the shared client executor, and the rest of
 * the process (GC, JIT: not Java threads).
 */
final class CpuSplit {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final Map<Long, Long> start;
  private final long processStart;

  private CpuSplit(Map<Long, Long> start, long processStart) {
    this.start = start;
    this.processStart = processStart;
  }

  static CpuSplit start(long processNanos) {
    Map<Long, Long> m = new HashMap<>();
    for (long id : THREADS.getAllThreadIds()) {
      long t = THREADS.getThreadCpuTime(id);
      if (t >= 0) {
        m.put(id, t);
      }
    }
    return new CpuSplit(m, processNanos);
  }

  /**
   * Percent of the process CPU since {@link #start} by thread kind, e.g. {@code commit 40% · grpc
   * 35% · ...}.
   */
  String since(long processNanos) {
    Map<String, Long> by = new LinkedHashMap<>();
    for (String k : new String[] {"commit", "grpc", "host-ops", "client", "other threads"}) {
      by.put(k, 0L);
    }
    long sum = 0;
    long[] ids = THREADS.getAllThreadIds();
    ThreadInfo[] infos = THREADS.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      long t = THREADS.getThreadCpuTime(ids[i]);
      if (t < 0 || infos[i] == null) {
        continue;
      }
      long d = t - start.getOrDefault(ids[i], 0L);
      sum += d;
      by.merge(kind(infos[i].getThreadName()), d, Long::sum);
    }
    long total = Math.max(1, processNanos - processStart);
    by.put("gc/jit/vm", Math.max(0, total - sum));
    return by.entrySet().stream()
        .filter(e -> e.getValue() > 0)
        .map(e -> e.getKey() + " " + Math.round(100.0 * e.getValue() / total) + "%")
        .collect(Collectors.joining(" · "));
  }

  private static String kind(String name) {
    if (name.startsWith("etcd-group-commit")) {
      return "commit";
    }
    if (name.startsWith("grpc") || name.contains("nioEventLoop") || name.contains("epoll")) {
      return "grpc";
    }
    if (name.startsWith("sim-host-op")) {
      return "host-ops";
    }
    if (name.startsWith("sim-etcd-client")) {
      return "client";
    }
    return "other threads";
  }
}
