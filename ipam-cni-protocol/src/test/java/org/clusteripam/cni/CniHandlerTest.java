package org.clusteripam.cni;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.InMemoryStateStore;
import org.junit.jupiter.api.Test;

class CniHandlerTest {
  final InMemoryStateStore store = new InMemoryStateStore();
  final IpamConfig config = IpamConfig.builder().supernet(IpPrefix.parse("10.80.0.0/16")).build();
  final CniHandler handler =
      new CniHandler(
          IpamEngine.open(store, config, Clock.systemUTC()).cni(new HostId("h1")), "boot-1");

  static String conf(String version, String ipam) {
    return "{\"cniVersion\":\""
        + version
        + "\",\"name\":\"net1\",\"type\":\"bridge\",\"ipam\":"
        + ipam
        + "}";
  }

  CniReply call(String command, String container, String stdin, String... extraEnv) {
    Map<String, String> env = new HashMap<>();
    env.put("CNI_COMMAND", command);
    if (container != null) {
      env.put("CNI_CONTAINERID", container);
      env.put("CNI_IFNAME", "eth0");
      env.put("CNI_NETNS", "/run/netns/" + container);
    }
    for (int i = 0; i < extraEnv.length; i += 2) {
      env.put(extraEnv[i], extraEnv[i + 1]);
    }
    return handler.handle(env, stdin.getBytes(StandardCharsets.UTF_8));
  }

  static JsonNode json(CniReply r) throws Exception {
    return NetworkConfig.JSON.readTree(r.stdout());
  }

  @Test
  void addResultsHaveEachVersionsShape() {
    String ipam =
        "{\"type\":\"cluster-ipam\",\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dns\":{\"nameservers\":[\"10.80.0.1\"]}}";
    CniReply r031 = call("ADD", "c1", conf("0.3.1", ipam));
    assertThat(r031)
        .isEqualTo(
            CniReply.ok(
                "{\"cniVersion\":\"0.3.1\",\"ips\":[{\"version\":\"4\",\"address\":\"10.80.0.2/24\",\"gateway\":\"10.80.0.1\"}],"
                    + "\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dns\":{\"nameservers\":[\"10.80.0.1\"]}}"));
    assertThat(call("ADD", "c2", conf("0.4.0", "{\"type\":\"cluster-ipam\"}")))
        .isEqualTo(
            CniReply.ok(
                "{\"cniVersion\":\"0.4.0\",\"ips\":[{\"version\":\"4\",\"address\":\"10.80.0.3/24\",\"gateway\":\"10.80.0.1\"}],\"dns\":{}}"));
    assertThat(call("ADD", "c3", conf("1.0.0", "{\"type\":\"cluster-ipam\"}")))
        .isEqualTo(
            CniReply.ok(
                "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.80.0.4/24\",\"gateway\":\"10.80.0.1\"}],\"dns\":{}}"));
    assertThat(call("ADD", "c4", conf("1.1.0", "{\"type\":\"cluster-ipam\"}")))
        .isEqualTo(
            CniReply.ok(
                "{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.80.0.5/24\",\"gateway\":\"10.80.0.1\"}],\"dns\":{}}"));
    // A replay answers the same address, in the version asked now.
    assertThat(call("ADD", "c1", conf("1.0.0", "{\"type\":\"cluster-ipam\"}")))
        .isEqualTo(
            CniReply.ok(
                "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.80.0.2/24\",\"gateway\":\"10.80.0.1\"}],\"dns\":{}}"));
  }

  @Test
  void versionListsTheSupportedVersions() {
    assertThat(call("VERSION", null, "{\"cniVersion\":\"1.0.0\"}"))
        .isEqualTo(
            CniReply.ok(
                "{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]}"));
    assertThat(call("VERSION", null, "").stdout()).startsWith("{\"cniVersion\":\"1.1.0\"");
  }

  @Test
  void delAlwaysSucceedsAndCheckFailsWithoutTheReservation() throws Exception {
    String c = conf("1.0.0", "{\"type\":\"cluster-ipam\"}");
    call("ADD", "c1", c);
    assertThat(call("CHECK", "c1", c)).isEqualTo(CniReply.ok(""));
    assertThat(call("DEL", "c1", c)).isEqualTo(CniReply.ok(""));
    assertThat(call("DEL", "c1", c)).isEqualTo(CniReply.ok(""));
    assertThat(
            call(
                "DEL",
                "unknown",
                "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"ipam\":{\"subnet\":\"garbage\"}}"))
        .isEqualTo(CniReply.ok(""));
    CniReply check = call("CHECK", "c1", c);
    assertThat(check.exitCode()).isEqualTo(1);
    assertThat(json(check).get("code").asInt()).isEqualTo(102);
    assertThat(json(check).get("msg").asText())
        .isEqualTo("no address is reserved for network net1 container c1 ifname eth0 on host h1");
    CniReply old = call("CHECK", "c1", conf("0.3.1", "{}"));
    assertThat(json(old).get("code").asInt()).isEqualTo(1);
  }

  @Test
  void checkComparesPrevResult() throws Exception {
    String c = conf("1.0.0", "{\"type\":\"cluster-ipam\"}");
    call("ADD", "c1", c);
    String prev =
        "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"ipam\":{},\"prevResult\":{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.80.0.9/24\"}]}}";
    CniReply r = call("CHECK", "c1", prev);
    assertThat(json(r).get("code").asInt()).isEqualTo(102);
    assertThat(json(r).get("msg").asText()).contains("10.80.0.9").contains("10.80.0.2");
  }

  @Test
  void requestedAddressesFromAllThreePlaces() throws Exception {
    String ipam = "{\"type\":\"cluster-ipam\",\"subnet\":\"10.70.0.0/24\"}";
    assertThat(
            json(call("ADD", "a", conf("1.0.0", ipam), "CNI_ARGS", "IgnoreUnknown=1;IP=10.70.0.10"))
                .at("/ips/0/address")
                .asText())
        .isEqualTo("10.70.0.10/24");
    String args =
        "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"ipam\":"
            + ipam
            + ",\"args\":{\"cni\":{\"ips\":[\"10.70.0.11/24\"]}}}";
    assertThat(json(call("ADD", "b", args)).at("/ips/0/address").asText())
        .isEqualTo("10.70.0.11/24");
    String rc =
        "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"ipam\":"
            + ipam
            + ",\"runtimeConfig\":{\"ips\":[\"10.70.0.12\"]}}";
    assertThat(json(call("ADD", "c", rc)).at("/ips/0/address").asText()).isEqualTo("10.70.0.12/24");
    CniReply taken = call("ADD", "d", conf("1.0.0", ipam), "CNI_ARGS", "IP=10.70.0.10");
    assertThat(json(taken).get("code").asInt()).isEqualTo(101);
    assertThat(json(taken).get("msg").asText())
        .contains("10.70.0.10")
        .contains("CNI container a (eth0) on host h1");
  }

  @Test
  void badConfigIsCode7AndChangesNothing() throws Exception {
    long before = store.revision();
    for (String ipam :
        new String[] {
          "{\"subnet\":\"10.1.0.0/33\"}",
          "{\"subnet\":\"10.1.0.0/24\",\"rangeStart\":\"10.1.0.10\",\"rangeEnd\":\"10.1.0.200\"}",
          "{\"ranges\":[[{\"subnet\":\"10.1.0.0/24\"},{\"subnet\":\"10.2.0.0/24\"}]]}",
          "{\"routes\":[{\"gw\":\"10.1.0.1\"}]}",
          "{\"subnet\":\"10.1.0.5/24\"}"
        }) {
      CniReply r = call("ADD", "c1", conf("1.0.0", ipam));
      assertThat(r.exitCode()).as(ipam).isEqualTo(1);
      assertThat(json(r).get("code").asInt()).as(ipam).isEqualTo(7);
    }
    assertThat(json(call("ADD", "c1", "not json")).get("code").asInt()).isEqualTo(6);
    assertThat(json(call("ADD", "c1", conf("0.2.0", "{}"))).get("code").asInt()).isEqualTo(1);
    assertThat(json(call("ADD", null, conf("1.0.0", "{}"))).get("msg").asText())
        .isEqualTo("CNI_CONTAINERID is not set");
    assertThat(store.revision()).isEqualTo(before);
  }

  @Test
  void exhaustionIsCode100NamingTheLevelAndStatusIs50() throws Exception {
    String ipam = "{\"type\":\"cluster-ipam\",\"subnet\":\"10.60.0.0/30\"}";
    assertThat(call("STATUS", null, conf("1.1.0", ipam))).isEqualTo(CniReply.ok(""));
    call("ADD", "a", conf("1.1.0", ipam));
    CniReply r = call("ADD", "b", conf("1.1.0", ipam));
    assertThat(json(r).get("code").asInt()).isEqualTo(100);
    assertThat(json(r).get("msg").asText())
        .isEqualTo(
            "no free address in host block 10.60.0.0/30 of pool 10.60.0.0/30, no free block to claim and none to borrow from");
    CniReply s = call("STATUS", null, conf("1.1.0", ipam));
    assertThat(json(s).get("code").asInt()).isEqualTo(50);
    assertThat(json(s).get("msg").asText()).contains("10.60.0.0/30");
    assertThat(json(call("STATUS", null, conf("1.0.0", ipam))).get("code").asInt()).isEqualTo(1);
  }

  @Test
  void gcAcceptsBothKeysAndNeedsOne() throws Exception {
    String c = conf("1.1.0", "{\"type\":\"cluster-ipam\"}");
    call("ADD", "a", c);
    call("ADD", "b", c);
    call("ADD", "c", c);
    String gc =
        "{\"cniVersion\":\"1.1.0\",\"name\":\"net1\",\"ipam\":{},\"cni.dev/valid-attachments\":[{\"containerID\":\"a\",\"ifname\":\"eth0\"}],"
            + "\"cni.dev/attachments\":[{\"containerID\":\"b\",\"ifname\":\"eth0\"}]}";
    assertThat(call("GC", null, gc)).isEqualTo(CniReply.ok(""));
    assertThat(call("CHECK", "a", c).exitCode()).isZero();
    assertThat(call("CHECK", "b", c).exitCode()).isZero();
    assertThat(json(call("CHECK", "c", c)).get("code").asInt()).isEqualTo(102);
    assertThat(
            json(call("GC", null, "{\"cniVersion\":\"1.1.0\",\"name\":\"net1\"}"))
                .get("code")
                .asInt())
        .isEqualTo(7);
  }

  @Test
  void dualStackAnswersBothFamilies() throws Exception {
    String ipam =
        "{\"type\":\"cluster-ipam\",\"ranges\":[[{\"subnet\":\"10.50.0.0/24\"}],[{\"subnet\":\"fd00:50::/64\",\"gateway\":\"fd00:50::1\"}]]}";
    JsonNode r = json(call("ADD", "a", conf("0.4.0", ipam)));
    assertThat(r.at("/ips/0/version").asText()).isEqualTo("4");
    assertThat(r.at("/ips/1/version").asText()).isEqualTo("6");
    assertThat(r.at("/ips/1/address").asText()).isEqualTo("fd00:50::2/64");
    assertThat(r.at("/ips/1/gateway").asText()).isEqualTo("fd00:50::1");
  }
}
