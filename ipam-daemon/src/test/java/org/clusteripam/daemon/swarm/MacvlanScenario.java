package org.clusteripam.daemon.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Swarm-scoped macvlan on the 3-host bed (the hosts' {@code eth0} veths sit on one hub bridge: a
 * shared L2 segment): a {@code --config-only} network on every node and one {@code --scope swarm
 * --config-from} network. Each node's dockerd asks its own IPAM plugin for its tasks' addresses;
 * with cluster-ipam they come from one store and never collide, with Docker's default IPAM every
 * node hands out the same ones.
 */
abstract class MacvlanScenario extends SwarmScenario {
  static final String SUBNET = "10.72.0.0/24";
  static final String DEFAULT_IPAM_SUBNET = "10.73.0.0/24";
  private Services services;
  private SwarmView view;

  @Override
  int managers() {
    return 1;
  }

  @BeforeAll
  void bringUp() {
    services = new Services(bed);
    view = new SwarmView(bed);
    for (DockerHost h : bed.hosts()) {
      h.must(
          "network",
          "create",
          "--config-only",
          "--ipam-driver",
          ClusterIpamPlugin.NAME,
          "--subnet",
          SUBNET,
          "-o",
          "parent=eth0",
          "mvcfg");
      h.must(
          "network",
          "create",
          "--config-only",
          "--subnet",
          DEFAULT_IPAM_SUBNET,
          "-o",
          "parent=eth0",
          "mvdefcfg");
    }
    DockerHost m = bed.manager();
    m.must(
        "network", "create", "-d", "macvlan", "--scope", "swarm", "--config-from", "mvcfg", "mv");
    m.must(
        "network",
        "create",
        "-d",
        "macvlan",
        "--scope",
        "swarm",
        "--config-from",
        "mvdefcfg",
        "mvdef");
  }

  /** Container address on {@code network} of every running task of the services, by task id. */
  Map<String, String> addresses(String network, String... svcs) {
    Map<String, String> out = new TreeMap<>();
    for (String s : svcs) {
      for (TaskRecord t : view.tasks(s)) {
        out.put(
            s + "." + t.host() + "." + t.id(),
            view.containerAddress(t, network).map(a -> a.split("/")[0]).orElse("none"));
      }
    }
    return out;
  }

  void assertDistinctInside(Map<String, String> byTask) {
    assertThat(byTask.values())
        .as("task addresses %s", byTask)
        .doesNotHaveDuplicates()
        .allMatch(a -> !a.equals("none") && IpPrefix.parse(SUBNET).contains(IpAddress.parse(a)));
  }

  /** Every task pings a task on each other node over the macvlan. */
  void assertReachable(String svc) {
    List<TaskRecord> tasks = view.tasks(svc);
    for (TaskRecord from : tasks) {
      for (TaskRecord to : tasks) {
        if (!from.host().equals(to.host())) {
          String ip = view.containerAddress(to, "mv").orElseThrow().split("/")[0];
          CommandResult ping =
              bed.host(from.host()).docker("exec", from.containerId(), "ping", "-c1", "-W3", ip);
          assertThat(ping.exitCode())
              .as("%s on %s -> %s on %s: %s", from.id(), from.host(), ip, to.host(), ping)
              .isZero();
        }
      }
    }
  }

  @Test
  @Order(1)
  void aGlobalServiceGetsDistinctAddressesOnEveryNodeThatReachEachOther() {
    createGlobal("g", "mv");
    Map<String, String> got = addresses("mv", "g");
    assertThat(got).hasSize(3);
    assertDistinctInside(got);
    assertReachable("g");
  }

  @Test
  @Order(2)
  void scalingAReplicatedServiceBesideItKeepsThemDistinct() {
    services.create("r", "mv", 3);
    services.awaitRunning("r", 3);
    services.scale("r", 9);
    services.awaitRunning("r", 9);
    Map<String, String> got = addresses("mv", "g", "r");
    assertThat(got).hasSize(12);
    assertDistinctInside(got);
  }

  @Test
  @Order(3)
  void aRestartedNodeComesBackWithoutADuplicate() {
    DockerHost node = bed.host("h2");
    node.kill();
    node.start();
    ClusterIpamPlugin.enabledAfterRestart(node);
    Waits.until(
        "h2 ready again",
        Duration.ofSeconds(90),
        () ->
            bed.manager()
                .docker("node", "ls", "--format", "{{.Hostname}} {{.Status}}")
                .lines()
                .contains("h2 Ready"));
    awaitGlobal("g");
    services.awaitRunning("r", 9);
    Map<String, String> got = addresses("mv", "g", "r");
    assertThat(got).hasSize(12);
    assertDistinctInside(got);
    assertReachable("g");
  }

  @Test
  @Order(4)
  void dockersDefaultIpamHandsOutTheSameAddressOnEveryNode() {
    createGlobal("gd", "mvdef");
    Map<String, String> got = addresses("mvdef", "gd");
    assertThat(got).hasSize(3);
    assertThat(new java.util.HashSet<>(got.values()))
        .as("the duplicate of Docker's per-node default IPAM: %s", got)
        .hasSizeLessThan(3);
  }

  /** A global service of busybox sleepers on {@code network}, one task per node, all running. */
  private void createGlobal(String svc, String network) {
    bed.manager()
        .must(
            "service",
            "create",
            "-d",
            "--name",
            svc,
            "--network",
            network,
            "--mode",
            "global",
            "--endpoint-mode",
            "dnsrr",
            "--stop-grace-period",
            "1s",
            BusyboxImage.NAME,
            "sleep",
            "3600");
    awaitGlobal(svc);
  }

  private void awaitGlobal(String svc) {
    services.awaitRunning(svc, bed.hosts().size());
  }
}
