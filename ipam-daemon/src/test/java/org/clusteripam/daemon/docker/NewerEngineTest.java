package org.clusteripam.daemon.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.daemon.docker.IpamOnDockerd.Call;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What dockerd 28.5 asks differently from 20.10, and what we answer, on one real dockerd 28.5 with
 * the daemon tracing every call: IPv6-only networks (also replayed after a dockerd restart), the
 * requests without a gateway, the overlap retry against an on-link route of dockerd's own
 * namespace, {@code --ip} outside {@code --ip-range}, unknown ipam options, {@code 0.0.0.0/N} and
 * {@code ::/N}, canonical replies.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NewerEngineTest {
  static final IpPrefix V6_SUPERNET = IpPrefix.parse("fd80:cafe::/48");
  IpamOnDockerd h;

  @BeforeAll
  void start() throws Exception {
    h = IpamOnDockerd.start(Engine.docker28());
  }

  @AfterAll
  void stop() throws Exception {
    if (h != null) {
      h.close();
    }
  }

  List<Call> since(int mark, String method) throws Exception {
    List<Call> all = h.calls();
    return all.subList(mark, all.size()).stream().filter(c -> c.method().equals(method)).toList();
  }

  static boolean inside(String pool, String address) {
    return IpPrefix.parse(pool).contains(IpAddress.parse(address));
  }

  void assertClean() throws Exception {
    JsonNode c = h.check();
    assertThat(c.path("leaked")).as(c.toString()).isEmpty();
    assertThat(c.path("missing")).as(c.toString()).isEmpty();
    assertThat(c.path("conflicting")).as(c.toString()).isEmpty();
  }

  @Test
  @Order(1)
  void ipv6OnlyNetworksNeverAskForIpv4AlsoWhenDockerdReplaysThem() throws Exception {
    int mark = h.calls().size();
    h.docker(
        "network", "create", "--ipam-driver", "cluster-ipam", "--ipv4=false", "--ipv6", "v6auto");
    h.docker(
        "network",
        "create",
        "--ipam-driver",
        "cluster-ipam",
        "--ipv4=false",
        "--ipv6",
        "--subnet",
        "fd00:77::/64",
        "v6fix");
    String auto = h.subnets("v6auto");
    assertThat(V6_SUPERNET.contains(IpPrefix.parse(auto))).as(auto).isTrue();
    assertThat(IpPrefix.parse(auto).length()).isEqualTo(64);
    assertThat(h.subnets("v6fix")).isEqualTo("fd00:77::/64");
    assertThat(h.docker("network", "inspect", "-f", "{{.EnableIPv4}} {{.EnableIPv6}}", "v6auto"))
        .isEqualTo("false true");
    h.docker("run", "-d", "--name", "c6a", "--network", "v6auto", "bb:1", "sleep", "600");
    h.docker("run", "-d", "--name", "c6f", "--network", "v6fix", "bb:1", "sleep", "600");
    String a = h.ip("c6a", "v6auto", true);
    String f = h.ip("c6f", "v6fix", true);
    assertThat(inside(auto, a)).as(a).isTrue();
    assertThat(inside("fd00:77::/64", f)).as(f).isTrue();
    assertThat(h.ip("c6a", "v6auto", false)).isEmpty();
    Map<String, Map<String, String>> pools = h.stored();
    assertThat(pools).containsOnlyKeys(auto, "fd00:77::/64");
    assertThat(pools.get(auto)).containsEntry(a, "endpoint").containsValue("gateway");
    assertThat(since(mark, "RequestPool"))
        .hasSize(2)
        .allMatch(c -> c.request().path("V6").asBoolean());

    // dockerd replays pools and gateways at start: the same pools again, still no IPv4.
    h.docker("stop", "-t", "0", "c6a", "c6f");
    int restart = h.calls().size();
    h.docker.restartDockerd();
    h.docker("start", "c6a", "c6f");
    List<Call> replayed = since(restart, "RequestPool");
    assertThat(replayed)
        .extracting(c -> c.request().path("Pool").asText())
        .contains(auto, "fd00:77::/64");
    assertThat(replayed).allMatch(c -> c.request().path("V6").asBoolean() && c.ok());
    assertThat(since(restart, "RequestAddress"))
        .allMatch(c -> c.request().path("PoolID").asText().contains(":"));
    assertThat(h.stored()).containsOnlyKeys(auto, "fd00:77::/64");
    assertThat(inside(auto, h.ip("c6a", "v6auto", true))).isTrue();
    assertThat(inside("fd00:77::/64", h.ip("c6f", "v6fix", true))).isTrue();
    assertClean();
    h.docker("rm", "-f", "c6a", "c6f");
    h.docker("network", "rm", "v6auto", "v6fix");
    assertThat(h.stored()).isEmpty();
  }

  @Test
  @Order(2)
  void networksWithoutAGatewayAreNeverGivenOne() throws Exception {
    // macvlan and ipvlan need a parent link: a veth pair of the test's namespace.
    h.ipInNetns("link", "add", "gw0", "type", "veth", "peer", "name", "gw1");
    h.ipInNetns("link", "set", "gw0", "up");
    h.ipInNetns("link", "set", "gw1", "up");
    int mark = h.calls().size();
    h.docker(
        "network",
        "create",
        "--ipam-driver",
        "cluster-ipam",
        "--subnet",
        "10.63.0.0/24",
        "--internal",
        "-o",
        "com.docker.network.bridge.gateway_mode_ipv4=isolated",
        "iso");
    h.docker(
        "network",
        "create",
        "--ipam-driver",
        "cluster-ipam",
        "--subnet",
        "10.64.0.0/24",
        "--internal",
        "-o",
        "com.docker.network.bridge.inhibit_ipv4=true",
        "inh");
    h.docker(
        "network",
        "create",
        "-d",
        "macvlan",
        "-o",
        "parent=gw0",
        "--ipam-driver",
        "cluster-ipam",
        "--subnet",
        "10.65.0.0/24",
        "--internal",
        "mvi");
    // ipvlan L3: the network and its pool only (this machine's kernel has no ipvlan links for
    // containers).
    h.docker(
        "network",
        "create",
        "-d",
        "ipvlan",
        "-o",
        "parent=gw1",
        "-o",
        "ipvlan_mode=l3",
        "--ipam-driver",
        "cluster-ipam",
        "--subnet",
        "10.66.0.0/24",
        "ipl3");
    // the contrast
    h.docker(
        "network", "create", "--ipam-driver", "cluster-ipam", "--subnet", "10.67.0.0/24", "withgw");
    Map<String, String> nets =
        Map.of("iso", "10.63.0.0/24", "inh", "10.64.0.0/24", "mvi", "10.65.0.0/24");
    for (Map.Entry<String, String> n : nets.entrySet()) {
      h.docker(
          "run",
          "-d",
          "--name",
          "c-" + n.getKey(),
          "--network",
          n.getKey(),
          "bb:1",
          "sleep",
          "600");
      String ip = h.ip("c-" + n.getKey(), n.getKey(), false);
      assertThat(inside(n.getValue(), ip)).as(n.getKey() + ": " + ip).isTrue();
      assertThat(h.stored().get(n.getValue()))
          .as(n.getKey())
          .containsOnlyKeys(ip)
          .doesNotContainValue("gateway");
    }
    assertThat(h.stored().get("10.66.0.0/24")).as("ipvlan l3").isEmpty();
    assertThat(h.stored().get("10.67.0.0/24")).containsEntry("10.67.0.1", "gateway");
    List<Call> gatewayAsks =
        since(mark, "RequestAddress").stream()
            .filter(
                c ->
                    c.request()
                        .path("Options")
                        .path("RequestAddressType")
                        .asText()
                        .equals("com.docker.network.gateway"))
            .toList();
    assertThat(gatewayAsks)
        .extracting(c -> c.request().path("PoolID").asText())
        .containsExactly("ClusterIpamLocal/10.67.0.0/24");
    assertClean();
    h.docker("rm", "-f", "c-iso", "c-inh", "c-mvi");
    h.docker("network", "rm", "iso", "inh", "mvi", "ipl3", "withgw");
    assertThat(h.stored()).isEmpty();
  }

  @Test
  @Order(3)
  void anAutoPoolOnAnOnLinkRouteIsHeldWhileDockerdAsksAgainThenReleased() throws Exception {
    h.docker("network", "create", "--ipam-driver", "cluster-ipam", "probe");
    String next = h.subnets("probe"); // the pool the next dynamic request gets once probe is gone
    h.docker("network", "rm", "probe");
    IpPrefix taken = IpPrefix.parse(next);
    h.ipInNetns("link", "add", "ov0", "type", "veth", "peer", "name", "ov1");
    h.ipInNetns("addr", "add", taken.addressAt(1) + "/" + taken.length(), "dev", "ov0");
    h.ipInNetns("link", "set", "ov0", "up");
    h.ipInNetns("link", "set", "ov1", "up");
    int mark = h.calls().size();
    h.docker("network", "create", "--ipam-driver", "cluster-ipam", "ovl");
    String got = h.subnets("ovl");
    assertThat(got).isNotEqualTo(next);
    assertThat(IpPrefix.parse(got).overlaps(taken)).isFalse();
    List<Call> asks = since(mark, "RequestPool");
    assertThat(asks).hasSize(2);
    assertThat(asks.get(0).request()).as("an identical repeat").isEqualTo(asks.get(1).request());
    assertThat(asks).extracting(c -> c.response().path("Pool").asText()).containsExactly(next, got);
    assertThat(since(mark, "ReleasePool"))
        .extracting(c -> c.request().path("PoolID").asText())
        .containsExactly("ClusterIpamLocal/" + next);
    assertThat(h.stored()).containsOnlyKeys(got);
    h.docker("network", "rm", "ovl");
    h.ipInNetns("link", "del", "ov0");
    assertThat(h.stored()).isEmpty();
  }

  @Test
  @Order(4)
  void ipOutsideTheRangeAndUnknownIpamOptionsAreAccepted() throws Exception {
    int mark = h.calls().size();
    h.docker(
        "network",
        "create",
        "--ipam-driver",
        "cluster-ipam",
        "--subnet",
        "10.62.0.0/16",
        "--ip-range",
        "10.62.5.0/24",
        "--ipam-opt",
        "com.example.team=blue",
        "--ipam-opt",
        "foo=bar",
        "rng");
    assertThat(since(mark, "RequestPool").get(0).request().path("Options").toString())
        .contains("\"com.example.team\":\"blue\"")
        .contains("\"foo\":\"bar\"");
    h.docker(
        "run",
        "-d",
        "--name",
        "r-out",
        "--network",
        "rng",
        "--ip",
        "10.62.9.50",
        "bb:1",
        "sleep",
        "600");
    h.docker("run", "-d", "--name", "r-dyn", "--network", "rng", "bb:1", "sleep", "600");
    assertThat(h.ip("r-out", "rng", false)).isEqualTo("10.62.9.50");
    String dyn = h.ip("r-dyn", "rng", false);
    assertThat(inside("10.62.5.0/24", dyn))
        .as("dynamic addresses stay in the range: " + dyn)
        .isTrue();
    assertThat(h.stored().get("10.62.0.0/16")).containsKeys("10.62.9.50", dyn);
    // A second --ip of the same address is still refused.
    DockerdProcess.Result twice =
        h.tryDocker(
            "run",
            "-d",
            "--name",
            "r-twice",
            "--network",
            "rng",
            "--ip",
            "10.62.9.50",
            "bb:1",
            "sleep",
            "600");
    h.tryDocker("rm", "-f", "r-twice");
    assertThat(twice.exit()).as(twice.output()).isNotZero();
    assertThat(twice.output()).contains("10.62.9.50").contains("already in use");
    assertClean();
    h.docker("rm", "-f", "r-out", "r-dyn");
    h.docker("network", "rm", "rng");
    assertThat(h.stored()).isEmpty();
  }

  @Test
  @Order(5)
  void anyPoolOfALengthIsRefusedWithTheWayToADynamicPool() throws Exception {
    DockerdProcess.Result v4 =
        h.tryDocker(
            "network", "create", "--ipam-driver", "cluster-ipam", "--subnet", "0.0.0.0/24", "any4");
    assertThat(v4.exit()).as(v4.output()).isNotZero();
    assertThat(v4.output())
        .contains(
            "pool 0.0.0.0/24 starts at the unspecified address and is not a subnet: leave the subnet out"
                + " for a dynamic pool (this driver carves /24 pools from 10.80.0.0/12)");
    DockerdProcess.Result v6 =
        h.tryDocker(
            "network",
            "create",
            "--ipam-driver",
            "cluster-ipam",
            "--ipv4=false",
            "--ipv6",
            "--subnet",
            "::/64",
            "any6");
    assertThat(v6.exit()).as(v6.output()).isNotZero();
    assertThat(v6.output()).contains("pool ::/64 starts at the unspecified address");
    assertThat(h.tryDocker("network", "inspect", "any4").exit()).isNotZero();
    assertThat(h.stored()).isEmpty();
  }

  @Test
  @Order(6)
  void everyPoolAndAddressInEveryReplyIsCanonical() throws Exception {
    h.docker(
        "network",
        "create",
        "--ipam-driver",
        "cluster-ipam",
        "--ipv6",
        "--subnet",
        "10.68.0.0/24",
        "--subnet",
        "fd00:0079:0000:0000::/64",
        "canon");
    h.docker(
        "run",
        "-d",
        "--name",
        "k1",
        "--network",
        "canon",
        "--ip6",
        "fd00:79:0:0:0:0:0:99",
        "bb:1",
        "sleep",
        "600");
    assertThat(h.ip("k1", "canon", true)).isEqualTo("fd00:79::99");
    List<String> replies = new ArrayList<>();
    for (Call c : h.calls()) {
      if (!c.ok()) {
        continue;
      }
      if (c.method().equals("RequestPool")) {
        String pool = c.response().path("Pool").asText();
        replies.add(pool);
        assertThat(IpPrefix.parse(pool).toString()).as("RequestPool reply").isEqualTo(pool);
      } else if (c.method().equals("RequestAddress")) {
        String cidr = c.response().path("Address").asText();
        replies.add(cidr);
        String ip = cidr.substring(0, cidr.indexOf('/'));
        assertThat(IpAddress.parse(ip).toString()).as("RequestAddress reply").isEqualTo(ip);
        assertThat(
                IpPrefix.parse(c.request().path("PoolID").asText().replaceFirst("^[^/]*/", ""))
                    .length())
            .as(cidr)
            .isEqualTo(Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1)));
      }
    }
    assertThat(replies).contains("fd00:79::/64", "fd00:79::99/64");
    h.docker("rm", "-f", "k1");
    h.docker("network", "rm", "canon");
    assertThat(h.stored()).isEmpty();
    assertClean();
  }
}
