package org.clusteripam.sim;

import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.etcd.EtcdStoreConfig;
import org.clusteripam.testkit.etcd.EtcdCluster;

/**
 * The cluster simulator: N simulated hosts, each with its own {@code IpamEngine} and its own {@code
 * EtcdStateStore} (as on N machines), on a real etcd it starts itself (1 or 3 members on loopback)
 * or is given, through the workloads of {@link Scenario}; prints one markdown table row per
 * workload. Run it with {@code scripts/simulate.sh}.
 */
public final class Simulate {
  /** Pools are carved from a /10 so that pool-bytes finds room for 10,000 /24 pools. */
  static final IpamConfig CONFIG =
      IpamConfig.builder().supernet(IpPrefix.parse("10.64.0.0/10")).build();

  private Simulate() {}

  /** Everything one invocation measured. */
  public record Report(
      List<Row> rows,
      List<String> violations,
      List<String> notes,
      Optional<PoolBytes.Result> poolBytes) {
    public long failures() {
      return rows.stream().mapToLong(Row::failures).sum()
          + poolBytes.map(PoolBytes.Result::failures).orElse(0L);
    }
  }

  public static void main(String[] args) {
    quietLogging();
    SimOptions o;
    try {
      if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
        System.out.print(SimOptions.USAGE);
        return;
      }
      o = SimOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("simulate: " + e.getMessage());
      System.err.print(SimOptions.USAGE);
      System.exit(2);
      return;
    }
    Report r = run(o, System.out);
    System.exit(r.violations().isEmpty() ? 0 : 3);
  }

  /**
   * Logging set up before the first store connects (from many threads at once), gRPC's JUL chatter
   * off.
   */
  static void quietLogging() {
    org.slf4j.LoggerFactory.getILoggerFactory();
    java.util.logging.Logger.getLogger("io.grpc").setLevel(java.util.logging.Level.WARNING);
    java.util.logging.Logger.getLogger("io.netty").setLevel(java.util.logging.Level.WARNING);
  }

  /** Runs every fleet size of {@code o}, printing as it goes. */
  public static Report run(SimOptions o, PrintStream out) {
    EtcdCluster cluster = null;
    try {
      List<String> endpoints = o.endpoints();
      if (endpoints.isEmpty()) {
        cluster = EtcdCluster.start(o.members());
        endpoints = cluster.endpoints();
        out.printf("etcd: %d member(s) %s, pids %s%n", o.members(), endpoints, cluster.pids());
      } else {
        out.printf("etcd: given endpoints %s%n", endpoints);
      }
      String run = "/ipam-sim/" + Long.toString(System.currentTimeMillis(), 36) + "/";
      EtcdStoreConfig base =
          new EtcdStoreConfig(
              endpoints.stream().map(URI::create).toList(),
              run,
              o.timeout(),
              EtcdStoreConfig.DEFAULT_MAX_BATCH_OPS,
              EtcdStoreConfig.DEFAULT_MAX_ATTEMPTS,
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              Optional.empty());
      out.printf(
          "cores: %d, workloads: join, join-alloc%s, leave; allocs/host %d%n%n",
          Runtime.getRuntime().availableProcessors(),
          o.workloads().isEmpty()
              ? ""
              : ", " + String.join(", ", new java.util.TreeSet<>(o.workloads())),
          o.allocs());
      out.println(Row.HEADER);
      List<Row> rows = new ArrayList<>();
      List<String> violations = new ArrayList<>();
      List<String> notes = new ArrayList<>();
      for (int n : o.hosts()) {
        Scenario.Settings s =
            new Scenario.Settings(
                o.workloads(),
                o.allocs(),
                o.churnSeconds(),
                o.churnExtra(),
                o.deadFor(n),
                o.poolsPerHost());
        try (Fleet fleet =
            new Fleet(base.withPrefix(run + "n" + n + "/"), CONFIG, n, o.inFlightFor(n))) {
          Scenario.Result r = Scenario.run(fleet, s, out);
          rows.addAll(r.rows());
          r.violations().forEach(v -> violations.add(n + " hosts: " + v));
          r.notes().forEach(v -> notes.add(n + " hosts: " + v));
        }
      }
      Optional<PoolBytes.Result> pb = Optional.empty();
      if (o.workloads().contains("pool-bytes") && o.poolCount() > 0) {
        pb =
            Optional.of(
                PoolBytes.run(
                    base.withPrefix(run + "pool-bytes/"), CONFIG, o.poolCount(), cluster == null));
      }
      Report report = new Report(rows, violations, notes, pb);
      print(report, out);
      return report;
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  private static void print(Report r, PrintStream out) {
    out.println();
    r.poolBytes()
        .ifPresent(
            pb -> {
              out.println("| pool creation, one at a time | store bytes per creation | latency |");
              out.println("|---|---|---|");
              out.println(pb.markdown());
              if (pb.failures() > 0) {
                out.println(
                    "pool-bytes failures: " + pb.failures() + ", first: " + pb.errors().get(0));
              }
              out.println();
            });
    r.notes().forEach(n -> out.println("note: " + n));
    out.println("cpu of the simulator process by thread kind:");
    r.rows()
        .forEach(
            row ->
                out.println(
                    "  " + row.workload() + ", " + row.hosts() + " hosts: " + row.cpuSplit()));
    for (Row row : r.rows()) {
      if (!row.errors().isEmpty()) {
        out.println(
            "errors in "
                + row.workload()
                + " ("
                + row.hosts()
                + " hosts, "
                + row.failures()
                + " failed): ");
        row.errors().forEach(e -> out.println("  " + e));
      }
    }
    out.println("failed operations: " + r.failures());
    if (r.violations().isEmpty()) {
      out.println(
          "checks: passed (no duplicate, every address in its pool and its host's block, reclaimed hosts hold nothing,"
              + " nothing left after leaving)");
    } else {
      out.println("checks FAILED:");
      r.violations().forEach(v -> out.println("  " + v));
    }
    out.flush();
  }
}
