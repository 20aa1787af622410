package org.clusteripam.sim;

import java.util.List;
import java.util.Locale;

/**
 * One workload's figures.
 *
 * @param conflictsPerOp etcd transactions whose compares failed, per operation (summed over every
 *     host's store)
 * @param retriesPerOp re-runs of a group-commit batch after a conflict, per operation
 * @param bytesPerOp key plus value bytes of committed puts, per operation
 * @param roundTripsPerOp requests sent to etcd (commits, reads), per operation
 * @param cpuSeconds CPU time of the whole simulator process (engines, stores, clients) during the
 *     workload
 * @param cpuSplit where that CPU went, by thread kind
 * @param errors the first few distinct failure messages
 */
public record Row(
    String workload,
    int hosts,
    long ops,
    long failures,
    double seconds,
    double p50Ms,
    double p99Ms,
    double maxMs,
    double conflictsPerOp,
    double retriesPerOp,
    double bytesPerOp,
    double roundTripsPerOp,
    double cpuSeconds,
    String cpuSplit,
    List<String> errors) {

  public Row {
    errors = List.copyOf(errors);
  }

  public double opsPerSecond() {
    return seconds <= 0 ? 0 : ops / seconds;
  }

  static final String HEADER =
      "| workload | hosts | ops | failed | wall s | ops/s | p50 ms | p99 ms | max ms | conflicts/op | retries/op"
          + " | bytes/op | round trips/op | cpu s |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";

  String markdown() {
    return String.format(
        Locale.ROOT,
        "| %s | %d | %d | %d | %.2f | %.0f | %.1f | %.1f | %.1f | %.3f | %.3f | %.0f | %.2f | %.1f |",
        workload,
        hosts,
        ops,
        failures,
        seconds,
        opsPerSecond(),
        p50Ms,
        p99Ms,
        maxMs,
        conflictsPerOp,
        retriesPerOp,
        bytesPerOp,
        roundTripsPerOp,
        cpuSeconds);
  }
}
