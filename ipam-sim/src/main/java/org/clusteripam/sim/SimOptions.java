package org.clusteripam.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The simulator's command line; see {@link #USAGE}.
 *
 * @param hosts fleet sizes to run, one after another, each on a fresh key prefix
 * @param members etcd members to start (1 or 3); ignored with {@code endpoints}
 * @param endpoints an existing etcd's client URLs, or empty to start one
 * @param inFlight most host operations running at once (0: as many as hosts)
 * @param poolCount the pool count at which pool-bytes measures the cost of one more pool (0: skip)
 */
record SimOptions(
    List<Integer> hosts,
    int members,
    List<String> endpoints,
    boolean quick,
    Set<String> workloads,
    int allocs,
    double churnSeconds,
    int churnExtra,
    int deadHosts,
    int poolsPerHost,
    int poolCount,
    int inFlight,
    Duration timeout) {

  static final Set<String> WORKLOADS = Set.of("churn", "reclaim", "fill", "pools", "pool-bytes");

  static final String USAGE =
      """
      usage: scripts/simulate.sh [options]
        --hosts N[,N...]      simulated hosts, each with its own engine and etcd store (default 8,32; quick 4,16)
        --members 1|3         etcd members to start on loopback (default 1)
        --endpoints URL,...   use this etcd instead of starting one (keys go under /ipam-sim/<run>/)
        --quick               small and short: a smoke run of every workload
        --workloads LIST      of churn,reclaim,fill,pools,pool-bytes (default all; the join storm and leave always run)
        --allocs K            RequestAddress per host after the join storm (default 10)
        --churn-seconds S     length of the steady churn (default 5; quick 1)
        --churn-extra E       a host holds up to K+E addresses while churning (default 4)
        --dead D              hosts that die and are reclaimed (default N/16, at least 1)
        --pools-per-host P    pools each host creates and deletes in the pool storm (default 2; quick 1)
        --pool-count C        pool-bytes measures one more pool at 10 and at C pools (default 10000; quick 1000; 0 skips)
        --in-flight M         most host operations at once (default: as many as hosts, at most 512)
        --timeout-ms T        etcd store timeout per operation (default 5000, as the daemon)
      """;

  static SimOptions parse(String[] args) {
    boolean quick = List.of(args).contains("--quick");
    List<Integer> hosts = quick ? List.of(4, 16) : List.of(8, 32);
    int members = 1;
    List<String> endpoints = List.of();
    Set<String> workloads =
        new LinkedHashSet<>(List.of("churn", "reclaim", "fill", "pools", "pool-bytes"));
    int allocs = 10;
    double churn = quick ? 1 : 5;
    int extra = 4;
    int dead = -1;
    int pools = quick ? 1 : 2;
    int poolCount = quick ? 1000 : 10_000;
    int inFlight = 0;
    Duration timeout = Duration.ofSeconds(5);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick" -> {}
        case "--hosts" -> hosts = ints(value(args, ++i, a));
        case "--members" -> members = Integer.parseInt(value(args, ++i, a));
        case "--endpoints" -> endpoints = List.of(value(args, ++i, a).split(","));
        case "--workloads" -> {
          workloads = new LinkedHashSet<>(List.of(value(args, ++i, a).split(",")));
          for (String w : workloads) {
            if (!WORKLOADS.contains(w)) {
              throw new IllegalArgumentException(
                  "unknown workload \"" + w + "\"; known: " + WORKLOADS);
            }
          }
        }
        case "--allocs" -> allocs = positive(value(args, ++i, a), a, 0);
        case "--churn-seconds" -> churn = Double.parseDouble(value(args, ++i, a));
        case "--churn-extra" -> extra = positive(value(args, ++i, a), a, 0);
        case "--dead" -> dead = positive(value(args, ++i, a), a, 1);
        case "--pools-per-host" -> pools = positive(value(args, ++i, a), a, 1);
        case "--pool-count" -> poolCount = positive(value(args, ++i, a), a, 0);
        case "--in-flight" -> inFlight = positive(value(args, ++i, a), a, 1);
        case "--timeout-ms" -> timeout = Duration.ofMillis(positive(value(args, ++i, a), a, 1));
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (members != 1 && members != 3) {
      throw new IllegalArgumentException("--members is 1 or 3, not " + members);
    }
    if (poolCount != 0 && poolCount < 20) {
      throw new IllegalArgumentException("--pool-count must be 0 or at least 20, not " + poolCount);
    }
    return new SimOptions(
        hosts,
        members,
        endpoints,
        quick,
        Set.copyOf(workloads),
        allocs,
        churn,
        extra,
        dead,
        pools,
        poolCount,
        inFlight,
        timeout);
  }

  /** Dead hosts for a fleet of {@code n}. */
  int deadFor(int n) {
    return deadHosts > 0 ? deadHosts : Math.max(1, n / 16);
  }

  int inFlightFor(int n) {
    return inFlight > 0 ? inFlight : Math.min(n, 512);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static List<Integer> ints(String list) {
    List<Integer> out = new ArrayList<>();
    for (String p : list.split(",")) {
      out.add(positive(p, "--hosts", 1));
    }
    return List.copyOf(out);
  }

  private static int positive(String v, String option, int min) {
    int n;
    try {
      n = Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " needs a whole number, got \"" + v + "\"");
    }
    if (n < min) {
      throw new IllegalArgumentException(option + " must be at least " + min + ", got " + n);
    }
    return n;
  }
}
