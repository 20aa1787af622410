package org.clusteripam.daemon.swarm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Macro benchmark (not a test): time from {@code docker service create --replicas N} to N/N
 * running, on one bed, for an overlay with Docker's default IPAM and two with {@code
 * cluster-ipam:latest} (when the plugin package is available: cluster mode, and per-host mode with
 * {@code --ipam-opt addressing=per-host}), runs interleaved. Prints one line per run and a summary
 * with the ratio.
 *
 * <p>Run: {@code mvn -B -o -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=org.clusteripam.daemon.swarm.ServiceStartBench -Dexec.args="RUNS REPLICAS"}
 */
public final class ServiceStartBench {
  private ServiceStartBench() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int replicas = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    boolean withPlugin = ClusterIpamPlugin.packageAvailable();
    try (SwarmTestBed bed = SwarmTestBed.start()) {
      System.out.printf("bed up in %d ms%n", bed.bringUpTime().toMillis());
      DockerHost m = bed.manager();
      Services services = new Services(bed);
      Map<String, List<Long>> millis = new LinkedHashMap<>();
      m.must("network", "create", "-d", "overlay", "net-default");
      millis.put("net-default", new ArrayList<>());
      if (withPlugin) {
        HubEtcd etcd = HubEtcd.start(bed);
        ClusterIpamPlugin.installEverywhere(bed, etcd);
        m.must(
            "network",
            "create",
            "-d",
            "overlay",
            "--ipam-driver",
            ClusterIpamPlugin.NAME,
            "net-cluster");
        millis.put("net-cluster", new ArrayList<>());
        m.must(
            "network",
            "create",
            "-d",
            "overlay",
            "--ipam-driver",
            ClusterIpamPlugin.NAME,
            "--ipam-opt",
            "addressing=per-host",
            "net-perhost");
        millis.put("net-perhost", new ArrayList<>());
      }
      // A warm-up per network, not counted: first task containers on a host pay one-off costs.
      for (String net : millis.keySet()) {
        time(services, "warm-" + net, net, replicas);
      }
      List<Double> managerRates = new ArrayList<>();
      for (int r = 0; r < runs; r++) {
        for (String net : millis.keySet()) {
          boolean cluster = !net.equals("net-default");
          long before = cluster ? requestAddressCount(m) : 0;
          long beforeAll = cluster ? requestAddressCountAll(bed) : 0;
          long ms = time(services, "b" + r + "-" + net, net, replicas);
          millis.get(net).add(ms);
          String extra = "";
          if (cluster) {
            // Read after removal too: the counter covers the burst's allocations (and its releases
            // are not counted).
            long calls = requestAddressCount(m) - before;
            long callsAll = requestAddressCountAll(bed) - beforeAll;
            double rate = calls * 1000.0 / ms;
            managerRates.add(rate);
            extra =
                String.format(
                    " (RequestAddress: %d on the manager = %.1f/s over the burst, %d on all hosts)",
                    calls, rate, callsAll);
          }
          System.out.printf("run %d %s: %d ms%s%n", r, net, ms, extra);
        }
      }
      for (Map.Entry<String, List<Long>> e : millis.entrySet()) {
        System.out.printf(
            "%s: median %d ms over %s%n", e.getKey(), median(e.getValue()), e.getValue());
      }
      if (withPlugin) {
        System.out.printf("manager RequestAddress/s during the burst: %s%n", managerRates);
        System.out.printf(
            "ratio cluster-ipam / default = %.2f (cluster mode), %.2f (per-host mode)%n",
            (double) median(millis.get("net-cluster")) / median(millis.get("net-default")),
            (double) median(millis.get("net-perhost")) / median(millis.get("net-default")));
      }
    }
  }

  private static long time(Services services, String name, String net, int replicas) {
    long t0 = System.nanoTime();
    services.create(name, net, replicas);
    services.awaitRunning(name, replicas);
    long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
    services.remove(name);
    return ms;
  }

  /**
   * RequestAddress calls the manager's plugin has served (Prometheus counter of its request timer).
   */
  private static long requestAddressCount(DockerHost h) {
    return ClusterIpamPlugin.requestCount(ClusterIpamPlugin.metrics(h), "RequestAddress");
  }

  private static long requestAddressCountAll(SwarmTestBed bed) {
    return bed.hosts().stream().mapToLong(ServiceStartBench::requestAddressCount).sum();
  }

  private static long median(List<Long> xs) {
    List<Long> s = xs.stream().sorted().toList();
    return s.get(s.size() / 2);
  }
}
