package org.clusteripam.daemon.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Cluster mode on a real swarm: three managers (so the leader can die), {@code cluster-ipam:latest}
 * on every host sharing one etcd. The steps build on each other; the last kills a host for good.
 */
abstract class ClusterModeScenario extends SwarmScenario {
  private static final String STATIC_NET = "cs";
  private static final String DYNAMIC_NET = "cd";
  private static final String PREFIX = ScenarioBed.PREFIX;
  private Services services;

  @Override
  int managers() {
    return 3;
  }

  @BeforeAll
  void bringUp() {
    services = new Services(bed);
  }

  @Test
  @Order(1)
  void networksWithAndWithoutSubnetGetTheirPoolFromClusterIpam() {
    DockerHost m = bed.manager();
    PluginBed.createOverlay(m, STATIC_NET, "--subnet", "10.91.0.0/24");
    PluginBed.createOverlay(m, DYNAMIC_NET);
    assertThat(
            m.must(
                "network",
                "inspect",
                "-f",
                "{{.IPAM.Driver}} {{range .IPAM.Config}}{{.Subnet}}{{end}}",
                STATIC_NET))
        .isEqualTo(ClusterIpamPlugin.NAME + " 10.91.0.0/24");
    String dynamic =
        m.must("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", DYNAMIC_NET);
    assertThat(dynamic)
        .as("pool of %s comes from the default supernet 10.80.0.0/12", DYNAMIC_NET)
        .matches("10\\.(8[0-9]|9[0-5])\\.\\d+\\.\\d+/24");
  }

  @Test
  @Order(2)
  void replicasSpreadOverHostsHaveTheAddressesSwarmRecorded() {
    long t0 = System.nanoTime();
    services.create("a", STATIC_NET, 6);
    services.create("b", DYNAMIC_NET, 6);
    services.awaitRunning("a", 6);
    services.awaitRunning("b", 6);
    Figures.record(
        "2 services x 6 replicas on cluster-ipam running",
        (System.nanoTime() - t0) / 1_000_000 + " ms");
    assertThat(new SwarmView(bed).tasks("a").stream().map(TaskRecord::host).distinct()).hasSize(3);
    assertConsistent();
  }

  @Test
  @Order(3)
  void scalingUpAndDownKeepsRecordsAndContainersInStep() {
    services.scale("a", 12);
    services.awaitRunning("a", 12);
    assertConsistent();
    services.scale("a", 3);
    services.awaitRunning("a", 3);
    assertConsistent();
  }

  @Test
  @Order(4)
  void aRollingUpdateReplacesEveryTaskWithConsistentAddresses() {
    List<String> before = new SwarmView(bed).tasks("b").stream().map(TaskRecord::id).toList();
    bed.manager().must("service", "update", "-d", "--force", "--update-parallelism", "3", "b");
    Waits.until(
        "update of b completed",
        Services.CONVERGE,
        () ->
            "completed"
                .equals(
                    bed.anyLiveManager()
                        .docker(
                            "service",
                            "inspect",
                            "-f",
                            "{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}",
                            "b")
                        .stdout()
                        .strip()));
    services.awaitRunning("b", 6);
    assertThat(new SwarmView(bed).tasks("b").stream().map(TaskRecord::id))
        .doesNotContainAnyElementsOf(before);
    assertConsistent();
  }

  @Test
  @Order(5)
  void killingTheLeadersDockerdElectsANewLeaderAndReplaysIdempotently() {
    DockerHost old = bed.leader();
    old.kill();
    Waits.until(
        "a new leader",
        Duration.ofSeconds(60),
        () -> {
          try {
            return bed.leader() != old;
          } catch (IllegalStateException none) {
            return false;
          }
        });
    services.scale("a", 9); // forces the new leader to allocate after replaying the old state
    services.awaitRunning("a", 9);
    assertConsistent();

    old.start();
    ClusterIpamPlugin.enabledAfterRestart(old);
    Waits.until(
        old.name() + " ready again",
        Duration.ofSeconds(90),
        () ->
            bed.anyLiveManager()
                .docker("node", "ls", "--format", "{{.Hostname}} {{.Status}}")
                .lines()
                .contains(old.name() + " Ready"));
    services.awaitRunning("a", 9);
    services.awaitRunning("b", 6);
    assertConsistent();
  }

  @Test
  @Order(6)
  void aDeadHostsAddressesAreReclaimedOnlyOnceItIsGone() {
    DockerHost leader = bed.leader();
    // A live non-leader host with tasks: killing it keeps the raft quorum (2 of 3 managers).
    DockerHost victim =
        bed.hosts().stream()
            .filter(h -> h != leader && h.isAlive())
            .filter(
                h ->
                    new SwarmView(bed).tasks("a").stream().anyMatch(t -> t.host().equals(h.name())))
            .findFirst()
            .orElseThrow(
                () -> new IllegalStateException("no live non-leader host runs a task of a"));
    IpamCli cli = new IpamCli(bed, etcd);
    List<String> held = cli.addressesHeldBy(victim.name());
    assertThat(held).as("addresses %s holds in the store", victim.name()).isNotEmpty();

    // The node id is pinned so the command never mistakes the test machine for a node of the bed.
    CommandResult refused = cli.run("reclaim-host", "--node-id", "test-runner", victim.name());
    assertThat(refused.ok()).as("reclaim-host of a live host: %s", refused).isFalse();
    assertThat(refused.stderr()).contains("is alive");
    assertThat(cli.addressesHeldBy(victim.name()))
        .as("nothing released while it lives")
        .containsExactlyInAnyOrderElementsOf(held);

    long pluginPid = ClusterIpamPlugin.pid(victim).orElseThrow();
    victim.kill();
    ClusterIpamPlugin.kill(pluginPid);
    long t0 = System.nanoTime();
    // Its liveness lease (30 s TTL) must run out before reclaim-host accepts.
    Waits.until(
        "lease of " + victim.name() + " expired",
        Duration.ofSeconds(90),
        () -> EtcdKeys.under(bed, etcd, PREFIX + "leases/" + victim.name()).isEmpty());
    Figures.record(
        "lease of a killed host gone after", (System.nanoTime() - t0) / 1_000_000 + " ms");
    List<String> stillHeld = cli.addressesHeldBy(victim.name());
    CommandResult reclaimed = cli.run("reclaim-host", "--node-id", "test-runner", victim.name());
    assertThat(reclaimed.ok()).as("%s", reclaimed).isTrue();
    assertThat(reclaimed.stdout())
        .contains("reclaimed " + victim.name() + ": " + stillHeld.size() + " addresses");
    assertThat(cli.addressesHeldBy(victim.name()))
        .as("addresses held by %s after reclaim-host", victim.name())
        .isEmpty();
    assertThat(cli.poolsHeldBy(victim.name()))
        .as("pool references of %s after reclaim-host", victim.name())
        .isEmpty();

    // Swarm moves the dead host's tasks; the survivors' records and containers still agree.
    Waits.until(
        victim.name() + " down",
        Duration.ofSeconds(60),
        () ->
            bed.anyLiveManager()
                .docker("node", "ls", "--format", "{{.Hostname}} {{.Status}}")
                .lines()
                .contains(victim.name() + " Down"));
    Waits.until(
        "no task of a or b on " + victim.name(),
        Services.CONVERGE,
        () ->
            new SwarmView(bed)
                    .tasks("a").stream()
                        .noneMatch(t -> t.host().equals(victim.name()) && t.running())
                && new SwarmView(bed)
                    .tasks("b").stream()
                        .noneMatch(t -> t.host().equals(victim.name()) && t.running()));
    services.awaitRunning("a", 9);
    services.awaitRunning("b", 6);
    assertConsistent();
  }

  @Test
  @Order(7)
  void removingServicesAndNetworksFreesEveryAddressTheyHeld() {
    assertThat(poolAndBlockKeys())
        .as("pools and blocks in etcd while the networks exist")
        .isNotEmpty();
    services.remove("a");
    services.remove("b");
    DockerHost m = bed.anyLiveManager();
    for (String net : List.of(STATIC_NET, DYNAMIC_NET)) {
      Waits.until(
          net + " removed",
          Duration.ofSeconds(60),
          () -> m.docker("network", "rm", net).ok() || !m.docker("network", "inspect", net).ok());
    }
    // Swarm never releases some task addresses before ReleasePool: the pool must take them along.
    try {
      Waits.until(
          "no pool or block left in etcd",
          Duration.ofSeconds(30),
          () -> poolAndBlockKeys().isEmpty());
    } catch (IllegalStateException timedOut) {
      assertThat(poolAndBlockKeys())
          .as(
              "pool and block keys left after the networks went; store:%n%s",
              new IpamCli(bed, etcd).run("show").stdout())
          .isEmpty();
    }
  }

  private List<String> poolAndBlockKeys() {
    return EtcdKeys.poolState(bed, etcd, PREFIX);
  }

  private void assertConsistent() {
    assertThat(AddressAudit.violations(bed, STATIC_NET, "a")).isEmpty();
    assertThat(AddressAudit.violations(bed, DYNAMIC_NET, "b")).isEmpty();
  }
}
