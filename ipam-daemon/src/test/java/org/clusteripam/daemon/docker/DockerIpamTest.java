package org.clusteripam.daemon.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.daemon.serve.DaemonProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * cluster-ipam as the IPAM driver of a real dockerd (one per class, in its own network namespace),
 * the daemon a child JVM on the embedded store. The steps build on each other. They run on the
 * default engine (dockerd 28.5) here and on Debian 12's 20.10 in {@link DockerIpamOnDockerd20Test}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerIpamTest {
  static final ObjectMapper JSON = new ObjectMapper();
  IpamOnDockerd h;
  DockerdProcess docker;
  DaemonProcess daemon;
  String autoSubnet;

  /** The engine this class runs on. */
  Engine engine() {
    return Engine.byDefault();
  }

  @BeforeAll
  void start() throws Exception {
    h = IpamOnDockerd.start(engine(), daemonArgs("PT1S", "PT2M"));
    docker = h.docker;
    daemon = h.daemon();
  }

  /** Fast reconciliation and short graces, so the steps see leaks and stale holds go. */
  private static List<String> daemonArgs(String reconcileInterval, String replayWindow) {
    return List.of(
        "--reconcile-interval",
        reconcileInterval,
        "--leak-grace",
        "PT2S",
        "--stale-ip-grace",
        "PT1S",
        "--replay-window",
        replayWindow);
  }

  void startDaemon() throws Exception {
    startDaemon("PT1S", "PT2M");
  }

  void startDaemon(String reconcileInterval, String replayWindow) throws Exception {
    h.startDaemon(daemonArgs(reconcileInterval, replayWindow));
    daemon = h.daemon();
  }

  @AfterAll
  void stop() throws Exception {
    if (h != null) {
      h.close();
    }
  }

  String ip(String container, String network) throws Exception {
    return h.ip(container, network, false);
  }

  String get(String path) throws Exception {
    return h.get(path);
  }

  /**
   * Every address in the store: address → holders, from {@code show --json} (served by the daemon).
   */
  Map<String, List<String>> stored() throws Exception {
    return stored(false);
  }

  /** As {@link #stored()}, only gateway addresses, or only others. */
  Map<String, List<String>> stored(boolean gateways) throws Exception {
    JsonNode show = JSON.readTree(get("/v1/show?json"));
    Map<String, List<String>> out = new TreeMap<>();
    List<JsonNode> pools = new ArrayList<>();
    show.path("supernets").forEach(s -> s.path("pools").forEach(pools::add));
    show.path("outside").forEach(pools::add);
    for (JsonNode p : pools) {
      for (JsonNode b : p.path("blocks")) {
        for (JsonNode a : b.path("addresses")) {
          if (gateways && !a.path("kind").asText().equals("gateway")) {
            continue;
          }
          List<String> h = new ArrayList<>();
          a.path("holders").forEach(x -> h.add(x.asText()));
          out.put(a.path("address").asText(), h);
        }
      }
    }
    return out;
  }

  List<String> storedPools() throws Exception {
    JsonNode show = JSON.readTree(get("/v1/show?json"));
    List<String> pools = new ArrayList<>();
    show.path("supernets")
        .forEach(s -> s.path("pools").forEach(p -> pools.add(p.path("pool").asText())));
    show.path("outside").forEach(p -> pools.add(p.path("pool").asText()));
    return pools;
  }

  JsonNode check() throws Exception {
    return JSON.readTree(get("/v1/check"));
  }

  /** Every address Docker holds on our networks: gateways, aux addresses and running containers. */
  TreeSet<String> dockerAddresses() throws Exception {
    TreeSet<String> all = new TreeSet<>();
    for (String net :
        docker.docker("network", "ls", "-q", "--filter", "driver=bridge").split("\\s+")) {
      if (net.isBlank()) {
        continue;
      }
      JsonNode n = JSON.readTree(docker.docker("network", "inspect", net)).get(0);
      if (!n.path("IPAM").path("Driver").asText().equals("cluster-ipam")) {
        continue;
      }
      for (JsonNode c : n.path("IPAM").path("Config")) {
        if (!c.path("Gateway").asText().isEmpty()) {
          all.add(IpAddress.parse(c.path("Gateway").asText()).toString());
        }
        c.path("AuxiliaryAddresses").forEach(a -> all.add(IpAddress.parse(a.asText()).toString()));
      }
      for (JsonNode ep : n.path("Containers")) {
        for (String f : List.of("IPv4Address", "IPv6Address")) {
          String a = ep.path(f).asText();
          if (!a.isEmpty()) {
            all.add(IpAddress.parse(a.substring(0, a.indexOf('/'))).toString());
          }
        }
      }
    }
    return all;
  }

  /**
   * The store holds exactly what Docker holds, all by this node. Docker does not show a gateway it
   * did not get from the user: beyond Docker's addresses the store may hold only gateways.
   */
  void assertExact() throws Exception {
    Map<String, List<String>> stored = stored();
    TreeSet<String> inDocker = dockerAddresses();
    assertThat(stored.keySet()).containsAll(inDocker);
    TreeSet<String> extra = new TreeSet<>(stored.keySet());
    extra.removeAll(inDocker);
    assertThat(stored(true).keySet()).as("store-only addresses are gateways").containsAll(extra);
    stored.forEach((a, h) -> assertThat(h).as(a).contains("h1"));
    JsonNode c = check();
    assertThat(c.path("leaked")).as(c.toString()).isEmpty();
    assertThat(c.path("missing")).as(c.toString()).isEmpty();
    assertThat(c.path("conflicting")).as(c.toString()).isEmpty();
  }

  @Test
  @Order(1)
  void dynamicPoolWithAndWithoutIp() throws Exception {
    docker.docker("network", "create", "-d", "bridge", "--ipam-driver", "cluster-ipam", "auto1");
    autoSubnet =
        docker.docker("network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "auto1");
    IpPrefix subnet = IpPrefix.parse(autoSubnet);
    assertThat(IpPrefix.parse("10.80.0.0/12").contains(subnet)).as(autoSubnet).isTrue();
    assertThat(subnet.length()).isEqualTo(24);
    String gw =
        docker.docker("network", "inspect", "-f", "{{(index .IPAM.Config 0).Gateway}}", "auto1");
    assertThat(subnet.contains(IpAddress.parse(gw))).isTrue();

    docker.docker("run", "-d", "--name", "a1", "--network", "auto1", "bb:1", "sleep", "600");
    docker.docker("run", "-d", "--name", "a2", "--network", "auto1", "bb:1", "sleep", "600");
    String a1 = ip("a1", "auto1");
    String a2 = ip("a2", "auto1");
    assertThat(subnet.contains(IpAddress.parse(a1))).isTrue();
    assertThat(subnet.contains(IpAddress.parse(a2))).isTrue();
    assertThat(new TreeSet<>(List.of(gw, a1, a2))).hasSize(3);
    assertExact();
  }

  @Test
  @Order(2)
  void staticPoolWithIp() throws Exception {
    docker.docker(
        "network",
        "create",
        "-d",
        "bridge",
        "--ipam-driver",
        "cluster-ipam",
        "--subnet",
        "10.7.0.0/24",
        "fix1");
    docker.docker(
        "run",
        "-d",
        "--name",
        "f1",
        "--network",
        "fix1",
        "--ip",
        "10.7.0.200",
        "bb:1",
        "sleep",
        "600");
    assertThat(docker.docker("inspect", "-f", "{{.NetworkSettings.Networks.fix1.Gateway}}", "f1"))
        .isEqualTo("10.7.0.1");
    assertThat(stored(true)).containsKey("10.7.0.1");
    assertThat(ip("f1", "fix1")).isEqualTo("10.7.0.200");
    // A second container asking for f1's address on the same host must fail: no duplicate address,
    // ever.
    DockerdProcess.Result second =
        docker.tryDocker(
            "run",
            "-d",
            "--name",
            "f2",
            "--network",
            "fix1",
            "--ip",
            "10.7.0.200",
            "bb:1",
            "sleep",
            "600");
    try {
      assertThat(second.exit()).as(second.output()).isNotZero();
      assertThat(second.output())
          .contains(
              "address 10.7.0.200 in pool 10.7.0.0/24 is already in use by host h1"
                  + " (another endpoint on this host has it)");
    } finally {
      // docker run leaves the created container behind when start fails
      docker.tryDocker("rm", "-f", "f2");
    }
    assertThat(ip("f1", "fix1")).isEqualTo("10.7.0.200");
    assertThat(stored()).containsEntry("10.7.0.200", List.of("h1"));
    docker.docker("run", "-d", "--name", "f3", "--network", "fix1", "bb:1", "sleep", "600");
    assertThat(ip("f3", "fix1"))
        .startsWith("10.7.0.")
        .isNotEqualTo("10.7.0.200")
        .isNotEqualTo("10.7.0.1");
    assertExact();
  }

  @Test
  @Order(3)
  void staticPoolWithRangeGatewayAuxAndIpv6() throws Exception {
    docker.docker(
        "network",
        "create",
        "-d",
        "bridge",
        "--ipam-driver",
        "cluster-ipam",
        "--subnet",
        "10.6.0.0/16",
        "--ip-range",
        "10.6.5.0/24",
        "--gateway",
        "10.6.0.254",
        "--aux-address",
        "host1=10.6.5.7",
        "--aux-address",
        "outside=10.6.9.9",
        "--ipv6",
        "--subnet",
        "fd00:6::/64",
        "--gateway",
        "fd00:6::ffff",
        "st1");
    docker.docker("run", "-d", "--name", "s1", "--network", "st1", "bb:1", "sleep", "600");
    String s1 = ip("s1", "st1");
    assertThat(IpPrefix.parse("10.6.5.0/24").contains(IpAddress.parse(s1))).as(s1).isTrue();
    assertThat(s1).isNotEqualTo("10.6.5.7");
    String s1v6 =
        docker.docker("inspect", "-f", "{{.NetworkSettings.Networks.st1.GlobalIPv6Address}}", "s1");
    assertThat(IpPrefix.parse("fd00:6::/64").contains(IpAddress.parse(s1v6))).as(s1v6).isTrue();
    docker.docker(
        "run",
        "-d",
        "--name",
        "s2",
        "--network",
        "st1",
        "--ip",
        "10.6.5.77",
        "--ip6",
        "fd00:6::77",
        "bb:1",
        "sleep",
        "600");
    assertThat(ip("s2", "st1")).isEqualTo("10.6.5.77");
    assertThat(
            docker.docker(
                "inspect", "-f", "{{.NetworkSettings.Networks.st1.GlobalIPv6Address}}", "s2"))
        .isEqualTo("fd00:6::77");
    assertThat(stored())
        .containsKeys(
            "10.6.0.254", "10.6.5.7", "10.6.9.9", "fd00:6::ffff", "10.6.5.77", "fd00:6::77");
    assertExact();
  }

  @Test
  @Order(4)
  void stoppedContainersReleaseTheirAddresses() throws Exception {
    String a1 = ip("a1", "auto1");
    docker.docker("stop", "-t", "0", "a1");
    assertThat(stored()).doesNotContainKey(a1);
    docker.docker("rm", "a1");
    assertExact();
  }

  @Test
  @Order(5)
  void killMinus9WhileContainersRunAndRestart() throws Exception {
    Map<String, List<String>> before = stored();
    daemon.kill();
    startDaemon();
    assertThat(stored()).isEqualTo(before);
    docker.docker("run", "-d", "--name", "a4", "--network", "auto1", "bb:1", "sleep", "600");
    assertThat(before).doesNotContainKey(ip("a4", "auto1"));
    // two reconciliation passes and the grace period: nothing live may be touched
    Thread.sleep(4000);
    assertExact();
  }

  @Test
  @Order(6)
  void releasesLostWhileTheDaemonWasDownAreReclaimed() throws Exception {
    String s1 = ip("s1", "st1");
    String a4 = ip("a4", "auto1");
    assertThat(daemon.stop(Duration.ofSeconds(15))).isZero();
    // dockerd stopped while the daemon is down: stopping the containers calls ReleaseAddress, which
    // fails.
    docker.stopDockerd();
    // The daemon comes back first (dockerd's restore waits ~15 s per network for a missing IPAM
    // plugin).
    // No second reconciliation pass: the lost releases stay held while f1 comes back.
    startDaemon("PT1H", "PT2S");
    docker.startDockerd();
    assertThat(stored()).as("the releases were lost").containsKeys(s1, a4, "10.7.0.200");
    // while the leaks are still held
    docker.docker("run", "-d", "--name", "a5", "--network", "auto1", "bb:1", "sleep", "600");
    // past the replay window dockerd's restore opened: a repeat is no longer a replay
    Thread.sleep(2500);
    // f1 comes back with its --ip. Its lost release still holds 10.7.0.200 for this host: Docker
    // shows no
    // use of it, so the stale hold is released and f1 gets its address at once (a live use is still
    // refused: staticPoolWithIp).
    DockerdProcess.Result restart = docker.tryDocker("start", "f1");
    assertThat(restart.exit()).as("docker start f1: %s", restart.output()).isZero();
    assertThat(daemon.log()).contains("event=stale_hold_released").contains("address=10.7.0.200");
    // The other leaks are reconciliation's to free.
    assertThat(daemon.stop(Duration.ofSeconds(15))).isZero();
    startDaemon();
    assertThat(ip("f1", "fix1")).isEqualTo("10.7.0.200");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline && (stored().containsKey(s1) || stored().containsKey(a4))) {
      Thread.sleep(500);
    }
    assertThat(stored())
        .doesNotContainKeys(s1, a4)
        .containsKeys(ip("f1", "fix1"), ip("a5", "auto1"));
    assertThat(daemon.log()).contains("event=reclaimed_address");
    assertExact();
  }

  @Test
  @Order(7)
  void aLostStoreIsRebuiltFromDocker() throws Exception {
    Map<String, List<String>> before = stored();
    List<String> poolsBefore = storedPools();
    assertThat(daemon.stop(Duration.ofSeconds(15))).isZero();
    DockerdProcess.run(
        List.of("rm", "-rf", docker.base().resolve("ipam-state").toString()),
        Duration.ofSeconds(10));
    // the startup pass records what Docker has: pools, gateways, aux and endpoint addresses
    startDaemon();
    // one pass, not several intervals
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline && !stored().keySet().equals(before.keySet())) {
      Thread.sleep(250);
    }
    assertThat(stored().keySet()).isEqualTo(before.keySet());
    assertThat(storedPools()).containsExactlyInAnyOrderElementsOf(poolsBefore);
    assertThat(daemon.log())
        .contains("event=recorded_missing_pool")
        .contains("event=recorded_missing_address");
    docker.docker("run", "-d", "--name", "f4", "--network", "fix1", "bb:1", "sleep", "600");
    assertThat(before)
        .as("a new container gets a free address")
        .doesNotContainKey(ip("f4", "fix1"));
    assertExact();
  }

  @Test
  @Order(8)
  void cliCheckReleaseAndReclaimHost(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    // the embedded store is the daemon's while it runs
    assertThat(daemon.stop(Duration.ofSeconds(15))).isZero();
    try {
      offlineCli(tmp);
    } finally {
      startDaemon();
    }
    assertExact();
  }

  void offlineCli(Path tmp) throws Exception {
    String state = docker.base().resolve("ipam-state").toString();
    String f1 = ip("f1", "fix1");
    IpPrefix auto = IpPrefix.parse(autoSubnet);
    // Seed two leaks the way a crash would leave them: one of this node's, one of a dead node h9.
    try (org.clusteripam.core.store.StateStore st =
        org.clusteripam.etcd.file.FileStateStore.open(Path.of(state))) {
      org.clusteripam.core.ipam.DriverIpam engine =
          org.clusteripam.core.engine.IpamEngine.open(
                  st,
                  org.clusteripam.core.engine.IpamConfig.defaults(),
                  java.time.Clock.systemUTC())
              .driver();
      engine.requestAddress(
          new org.clusteripam.core.ipam.AddressRequest(
              new org.clusteripam.core.ipam.HostId("h1"),
              new org.clusteripam.core.ipam.PoolId("ClusterIpamLocal/10.7.0.0/24"),
              java.util.Optional.of(IpAddress.parse("10.7.0.99")),
              org.clusteripam.core.ipam.AddressKind.ENDPOINT,
              Map.of()));
      engine.requestAddress(
          new org.clusteripam.core.ipam.AddressRequest(
              new org.clusteripam.core.ipam.HostId("h9"),
              new org.clusteripam.core.ipam.PoolId("ClusterIpamLocal/" + auto),
              java.util.Optional.of(auto.addressAt(250)),
              org.clusteripam.core.ipam.AddressKind.ENDPOINT,
              Map.of()));
    }
    String[] store = {
      "--state-dir", state, "--node-id", "h1", "--docker-host", docker.dockerHost()
    };
    org.clusteripam.daemon.Cli.Result check =
        org.clusteripam.daemon.Cli.run(concat(new String[] {"check"}, store));
    assertThat(check.exit()).as(check.err()).isZero();
    JsonNode report = JSON.readTree(check.out());
    assertThat(report.path("leaked").findValuesAsText("address")).containsExactly("10.7.0.99");
    assertThat(report.path("missing")).isEmpty();
    assertThat(report.path("conflicting")).isEmpty();
    Path file = tmp.resolve("report.json");
    java.nio.file.Files.writeString(file, check.out());

    org.clusteripam.daemon.Cli.Result release =
        org.clusteripam.daemon.Cli.run(
            concat(new String[] {"release", "--from-report", file.toString()}, store));
    assertThat(release.exit()).as(release.err()).isZero();
    assertThat(release.out())
        .contains("released ClusterIpamLocal/10.7.0.0/24 10.7.0.99")
        .contains("1 released, 0 kept");
    org.clusteripam.daemon.Cli.Result again =
        org.clusteripam.daemon.Cli.run(
            concat(new String[] {"release", "--from-report", file.toString()}, store));
    assertThat(again.out()).as("a stale report changes nothing").contains("0 released, 1 kept");

    org.clusteripam.daemon.Cli.Result self =
        org.clusteripam.daemon.Cli.run(concat(new String[] {"reclaim-host", "h1"}, store));
    assertThat(self.exit()).isNotZero();
    assertThat(self.err()).contains("still has").contains("endpoints");
    org.clusteripam.daemon.Cli.Result dead =
        org.clusteripam.daemon.Cli.run(concat(new String[] {"reclaim-host", "h9"}, store));
    assertThat(dead.exit()).as(dead.err()).isZero();
    assertThat(dead.out()).contains("reclaimed h9: 1 addresses");

    org.clusteripam.daemon.Cli.Result show =
        org.clusteripam.daemon.Cli.run("show", "--state-dir", state);
    assertThat(show.exit()).as(show.err()).isZero();
    assertThat(show.out())
        .contains("pool 10.7.0.0/24")
        .contains(f1)
        .doesNotContain("10.7.0.99")
        .doesNotContain(auto.addressAt(250).toString());
  }

  static String[] concat(String[] a, String[] b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @Test
  @Order(9)
  void everythingIsReleasedWhenContainersAndNetworksGo() throws Exception {
    List<String> rm = new ArrayList<>(List.of("rm", "-f"));
    // a2 a4 a5 s1 s2 f1 f3 f4 (fewer in a subset)
    rm.addAll(List.of(docker.docker("ps", "-aq").split("\\s+")));
    docker.docker(rm.toArray(String[]::new));
    docker.docker("network", "rm", "auto1", "st1", "fix1");
    assertThat(stored()).isEmpty();
    assertThat(storedPools()).isEmpty();
    assertExact();
  }
}
