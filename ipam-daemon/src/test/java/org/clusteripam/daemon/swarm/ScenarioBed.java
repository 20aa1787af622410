package org.clusteripam.daemon.swarm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.clusteripam.daemon.docker.Engine;

/**
 * One plugin bed (3 hosts, {@code cluster-ipam:latest} on one etcd) that several scenarios run on
 * in turn: booting the swarm and installing the plugin is most of a scenario's cost, so it is paid
 * once. Each scenario starts on a bed in the state a fresh one has: after every scenario everything
 * it created is removed and the store, the hosts' routes and sysctls are checked to be as at boot;
 * when that fails (or a host is down, a plugin disabled, a stale daemon left behind) the bed is
 * torn down and the next scenario gets a new one, so one scenario's leftovers never decide
 * another's outcome. Every host's plugin runs with the per-host scenario's settings ({@link
 * RoutedPerHostNetwork#pluginEnv}): an advertise address and a resolver address change nothing for
 * the cluster-mode and macvlan pools.
 */
final class ScenarioBed implements AutoCloseable {
  static final String PREFIX = "/cluster-ipam/";

  /** Docker's own networks, present on a fresh swarm host. */
  private static final Set<String> BUILT_IN_NETWORKS =
      Set.of("host", "none", "bridge", "docker_gwbridge", "ingress");

  private static final Duration SHORT = Duration.ofSeconds(20);
  private static final Duration SETTLE = Duration.ofSeconds(30);

  private PluginBed current;
  private Map<String, String> bootForwarding = Map.of();
  private String reboot = "no bed yet";

  /**
   * The bed for the next scenario with the first {@code managers} hosts as managers: the current
   * one if the last scenario left it clean, else a new one.
   */
  PluginBed forScenario(String scenario, int managers) {
    if (!reboot.isEmpty()) {
      if (current != null) {
        System.out.println("swarm bed: new bed for " + scenario + " (" + reboot + ")");
        PluginBed old = current;
        current = null;
        old.close();
      }
      long t0 = System.nanoTime();
      current = PluginBed.start(3, managers, RoutedPerHostNetwork::pluginEnv, Engine.byDefault());
      bootForwarding = forwarding(current.bed());
      Figures.record(
          "shared swarm bed boot (3 hosts, etcd, plugin) for " + scenario,
          (System.nanoTime() - t0) / 1_000_000 + " ms");
      reboot = "";
    } else {
      current.bed().setManagers(managers);
    }
    return current;
  }

  /**
   * Removes everything the scenario created and checks that the bed is as a fresh one; a failure
   * names the leftovers (and the next scenario gets a new bed).
   */
  void endScenario(String scenario) {
    if (current == null) {
      return;
    }
    long t0 = System.nanoTime();
    SwarmTestBed bed = current.bed();
    List<String> unfit = unfit(bed);
    if (!unfit.isEmpty()) {
      // A host down (a scenario may kill one for good) cannot be cleaned reliably: start afresh.
      reboot = String.join("; ", unfit);
      return;
    }
    Teardown t = new Teardown();
    DockerHost m = bed.anyLiveManager();
    t.step("remove services", () -> removeServices(bed, m));
    t.step("remove containers", () -> removeContainers(bed));
    t.step("remove swarm networks", () -> removeSwarmNetworks(m));
    t.step("remove local networks", () -> removeLocalNetworks(bed));
    t.step("restore ip_forward", () -> restoreForwarding(bed));
    List<String> left = new ArrayList<>();
    t.step(
        "wait for a clean store and no routes",
        () -> {
          try {
            Waits.until("nothing left of " + scenario, SETTLE, () -> leftovers(bed).isEmpty());
          } catch (IllegalStateException timedOut) {
            left.addAll(leftovers(bed));
          }
        });
    Figures.record(
        "shared swarm bed cleanup after " + scenario + " " + t,
        (System.nanoTime() - t0) / 1_000_000 + " ms");
    try {
      t.throwIfFailed();
    } catch (IllegalStateException e) {
      reboot = "cleanup after " + scenario + " failed: " + e.getMessage();
      throw e;
    }
    if (!left.isEmpty()) {
      reboot = scenario + " left " + left;
      throw new AssertionError(
          scenario
              + " left state a fresh bed does not have (the next scenario gets a new bed): "
              + left);
    }
  }

  /** Why the bed cannot be cleaned for another scenario (empty: it can). */
  private static List<String> unfit(SwarmTestBed bed) {
    List<String> out = new ArrayList<>();
    for (DockerHost h : bed.hosts()) {
      if (!h.isAlive()) {
        out.add(h.name() + "'s dockerd is down");
        continue;
      }
      String enabled =
          h.docker(SHORT, "plugin", "inspect", "-f", "{{.Enabled}}", ClusterIpamPlugin.NAME)
              .stdout()
              .strip();
      if (!enabled.equals("true")) {
        out.add(h.name() + "'s plugin is not enabled (" + enabled + ")");
      }
      List<Long> pids = ClusterIpamPlugin.pids(h);
      if (pids.size() != 1) {
        out.add(h.name() + " runs " + pids.size() + " plugin JVMs " + pids);
      }
    }
    if (out.isEmpty()) {
      List<String> ready =
          bed.manager().docker(SHORT, "node", "ls", "--format", "{{.Status}}").lines();
      if (ready.size() != bed.hosts().size() || !ready.stream().allMatch("Ready"::equals)) {
        out.add("nodes " + ready);
      }
    }
    return out;
  }

  private static void removeServices(SwarmTestBed bed, DockerHost m) {
    for (String svc : m.docker(SHORT, "service", "ls", "-q").lines()) {
      m.docker(SHORT, "service", "rm", svc);
    }
    for (DockerHost h : bed.hosts()) {
      Waits.until(
          "task containers gone on " + h.name(),
          Services.CONVERGE,
          () ->
              h.docker(SHORT, "ps", "-aq", "--filter", "label=com.docker.swarm.task")
                  .lines()
                  .isEmpty());
    }
  }

  private static void removeContainers(SwarmTestBed bed) {
    for (DockerHost h : bed.hosts()) {
      for (String c : h.docker(SHORT, "ps", "-aq").lines()) {
        h.docker(SHORT, "rm", "-f", c).orThrow();
      }
    }
  }

  private static void removeSwarmNetworks(DockerHost m) {
    for (String net :
        m.docker(SHORT, "network", "ls", "--filter", "scope=swarm", "--format", "{{.Name}}")
            .lines()) {
      if (!BUILT_IN_NETWORKS.contains(net)) {
        // A network still has task endpoints for a moment after its service goes: retry briefly.
        Waits.until(
            "network " + net + " removed",
            SETTLE,
            () ->
                m.docker(SHORT, "network", "rm", net).ok()
                    || !m.docker(SHORT, "network", "inspect", net).ok());
      }
    }
  }

  /** Config-only networks (and any other local one a scenario made) on every host. */
  private static void removeLocalNetworks(SwarmTestBed bed) {
    for (DockerHost h : bed.hosts()) {
      for (String net :
          h.docker(SHORT, "network", "ls", "--filter", "scope=local", "--format", "{{.Name}}")
              .lines()) {
        if (!BUILT_IN_NETWORKS.contains(net)) {
          h.docker(SHORT, "network", "rm", net).orThrow();
        }
      }
    }
  }

  private static Map<String, String> forwarding(SwarmTestBed bed) {
    Map<String, String> out = new LinkedHashMap<>();
    for (DockerHost h : bed.hosts()) {
      out.put(
          h.name(),
          RoutedPerHostNetwork.inNamespace(h, "sysctl", "-n", "net.ipv4.ip_forward")
              .orThrow()
              .strip());
    }
    return out;
  }

  private void restoreForwarding(SwarmTestBed bed) {
    for (DockerHost h : bed.hosts()) {
      RoutedPerHostNetwork.inNamespace(
              h, "sysctl", "-q", "-w", "net.ipv4.ip_forward=" + bootForwarding.get(h.name()))
          .orThrow();
    }
  }

  /** Pool state in the store and the daemons' routes (protocol 201) a fresh bed has none of. */
  private List<String> leftovers(SwarmTestBed bed) {
    List<String> out = new ArrayList<>();
    out.addAll(EtcdKeys.poolState(bed, current.etcd(), PREFIX));
    for (DockerHost h : bed.hosts()) {
      Stream.of(
              RoutedPerHostNetwork.inNamespace(h, "ip", "route", "show", "proto", "201").stdout(),
              RoutedPerHostNetwork.inNamespace(
                      h, "ip", "route", "show", "table", "local", "proto", "201")
                  .stdout())
          .flatMap(String::lines)
          .filter(l -> !l.isBlank())
          .forEach(l -> out.add(h.name() + " route " + l.strip()));
    }
    return out;
  }

  @Override
  public void close() {
    if (current != null) {
      PluginBed old = current;
      current = null;
      old.close();
    }
  }
}
