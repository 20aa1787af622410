package org.clusteripam.daemon.cni;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code bridge} plugin (Debian 12's 1.1.1 and unstable's 1.9.1) delegating to our shim
 * and the daemon, invoked as runtimes do in namespaces this test creates.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CniBridgePluginTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  CniBed bed;
  Path bridge11;
  Path bridge19;
  Path shim;

  @BeforeAll
  void setUp() throws Exception {
    bed = new CniBed(dir, "--reconcile-interval", "PT1S", "--leak-grace", "PT2S");
    bridge11 = CniPlugins.binDir(CniPlugins.BOOKWORM, dir.resolve("bin11")).resolve("bridge");
    bridge19 = CniPlugins.binDir(CniPlugins.unstable(), dir.resolve("bin19")).resolve("bridge");
    shim = bridge11.resolveSibling("cluster-ipam");
  }

  @AfterAll
  void tearDown() throws Exception {
    if (bed != null) {
      bed.close();
    }
  }

  String conf(String version, String net, String ipamExtra) {
    return "{\"cniVersion\":\""
        + version
        + "\",\"name\":\""
        + net
        + "\",\"type\":\"bridge\",\"bridge\":\"cb"
        + bed.tag
        + net.charAt(net.length() - 1)
        + "\",\"isGateway\":true,\"ipam\":{\"type\":\"cluster-ipam\",\"routes\":[{\"dst\":\"0.0.0.0/0\"}]"
        + ipamExtra
        + "}}";
  }

  static String withPrev(String conf, String result) {
    return conf.substring(0, conf.length() - 1) + ",\"prevResult\":" + result + "}";
  }

  static JsonNode json(String s) throws Exception {
    return JSON.readTree(s);
  }

  static String addressOf(JsonNode result, int i) {
    return result.get("ips").get(i).get("address").asText();
  }

  Exec ok(Exec e) {
    assertThat(e.exit()).as("exit of a plugin call: " + e.stdout() + e.stderr()).isZero();
    return e;
  }

  @Test
  void addCheckDelInEveryVersionWithBothBridges() throws Exception {
    String[][] cases = {
      {"0.3.1", "11"}, {"0.4.0", "11"}, {"1.0.0", "11"}, {"1.0.0", "19"}, {"1.1.0", "19"}
    };
    int n = 0;
    for (String[] c : cases) {
      Path bridge = c[1].equals("11") ? bridge11 : bridge19;
      String conf = conf(c[0], "neta", "");
      String id = "ctr" + (n++);
      String ns = bed.netns(id);
      JsonNode r = json(ok(bed.invoke(bridge, "ADD", id, ns, null, conf)).stdout());
      assertThat(r.get("cniVersion").asText()).isEqualTo(c[0]);
      String addr = addressOf(r, 0);
      assertThat(addr).startsWith("10.213.").endsWith("/24");
      String gw = r.get("ips").get(0).get("gateway").asText();
      assertThat(CniBed.inside(ns, "ip -4 -o addr show dev eth0")).contains("inet " + addr);
      assertThat(CniBed.inside(ns, "ip -4 route")).contains("default via " + gw + " dev eth0");
      // A repeated ADD through our shim directly is a replay: the same address.
      assertThat(addressOf(json(ok(bed.invoke(shim, "ADD", id, ns, null, conf)).stdout()), 0))
          .isEqualTo(addr);
      if (!c[0].equals("0.3.1")) {
        ok(bed.invoke(bridge, "CHECK", id, ns, null, withPrev(conf, r.toString())));
      }
      ok(bed.invoke(bridge, "DEL", id, ns, null, withPrev(conf, r.toString())));
      ok(bed.invoke(bridge, "DEL", id, ns, null, withPrev(conf, r.toString())));
      ok(bed.invoke(bridge, "DEL", id, null, null, conf)); // no netns, no prevResult
      Exec check = bed.invoke(shim, "CHECK", id, ns, null, conf.replace(c[0], "1.0.0"));
      assertThat(check.exit()).isEqualTo(1);
      assertThat(json(check.stdout()).get("code").asInt()).isEqualTo(102);
    }
  }

  @Test
  void delAfterTheNetnsIsDeletedReleases() throws Exception {
    String conf = conf("1.0.0", "netb", "");
    String ns = bed.netns("gone");
    String addr =
        addressOf(json(ok(bed.invoke(bridge11, "ADD", "gone", ns, null, conf)).stdout()), 0);
    bed.deleteNetns(ns);
    ok(bed.invoke(bridge11, "DEL", "gone", ns, null, conf));
    assertThat(json(bed.invoke(shim, "CHECK", "gone", ns, null, conf).stdout()).get("code").asInt())
        .isEqualTo(102);
    // The address is free again: a request for it succeeds.
    String ns2 = bed.netns("again");
    String want = addr.substring(0, addr.indexOf('/'));
    assertThat(
            addressOf(
                json(
                    ok(bed.invoke(
                            bridge11, "ADD", "again", ns2, "IgnoreUnknown=1;IP=" + want, conf))
                        .stdout()),
                0))
        .isEqualTo(addr);
    ok(bed.invoke(bridge11, "DEL", "again", ns2, null, conf));
  }

  @Test
  void dualStackGivesBothFamiliesInsideTheNetns() throws Exception {
    String conf =
        "{\"cniVersion\":\"1.0.0\",\"name\":\"netc\",\"type\":\"bridge\",\"bridge\":\"cb"
            + bed.tag
            + "c\",\"isGateway\":true,"
            + "\"ipam\":{\"type\":\"cluster-ipam\",\"dualStack\":true}}";
    String ns = bed.netns("dual");
    JsonNode r = json(ok(bed.invoke(bridge11, "ADD", "dual", ns, null, conf)).stdout());
    assertThat(r.get("ips")).hasSize(2);
    String v4 = addressOf(r, 0);
    String v6 = addressOf(r, 1);
    assertThat(v6).startsWith("fd13:213:").endsWith("/64");
    assertThat(CniBed.inside(ns, "ip -4 -o addr show dev eth0")).contains(v4);
    assertThat(CniBed.inside(ns, "ip -6 -o addr show dev eth0")).contains(v6);
    ok(bed.invoke(bridge11, "DEL", "dual", ns, null, withPrev(conf, r.toString())));
  }

  @Test
  void requestedAddressesFromCniArgsArgsAndRuntimeConfig() throws Exception {
    String base = conf("1.0.0", "netd", ",\"subnet\":\"10.214.7.0/24\"");
    String ns1 = bed.netns("ip1");
    assertThat(
            addressOf(
                json(
                    ok(bed.invoke(
                            bridge11,
                            "ADD",
                            "ip1",
                            ns1,
                            "IgnoreUnknown=1;K8S_POD_NAME=x;IP=10.214.7.50",
                            base))
                        .stdout()),
                0))
        .isEqualTo("10.214.7.50/24");
    assertThat(CniBed.inside(ns1, "ip -4 -o addr show dev eth0")).contains("10.214.7.50/24");
    String ns2 = bed.netns("ip2");
    String args =
        base.substring(0, base.length() - 1) + ",\"args\":{\"cni\":{\"ips\":[\"10.214.7.51\"]}}}";
    assertThat(addressOf(json(ok(bed.invoke(bridge11, "ADD", "ip2", ns2, null, args)).stdout()), 0))
        .isEqualTo("10.214.7.51/24");
    String ns3 = bed.netns("ip3");
    String rc =
        base.substring(0, base.length() - 1) + ",\"runtimeConfig\":{\"ips\":[\"10.214.7.52/24\"]}}";
    assertThat(addressOf(json(ok(bed.invoke(bridge11, "ADD", "ip3", ns3, null, rc)).stdout()), 0))
        .isEqualTo("10.214.7.52/24");
    String ns4 = bed.netns("ip4");
    Exec taken = bed.invoke(bridge11, "ADD", "ip4", ns4, "IgnoreUnknown=1;IP=10.214.7.50", base);
    assertThat(taken.exit()).isNotZero();
    JsonNode err = json(taken.stdout());
    assertThat(err.get("code").asInt()).isEqualTo(101);
    assertThat(err.get("msg").asText())
        .contains("10.214.7.50")
        .contains("CNI container ip1 (eth0) on host h1");
  }

  @Test
  void exhaustionGetsDockersWordsAndStatusFollows() throws Exception {
    String conf = conf("1.1.0", "nete", ",\"subnet\":\"10.214.9.0/29\"");
    ok(bed.invoke(bridge19, "STATUS", null, null, null, conf));
    for (int i = 0; i < 5; i++) { // .1 is the gateway; .0 and .7 are reserved
      ok(bed.invoke(bridge19, "ADD", "ex" + i, bed.netns("ex" + i), null, conf));
    }
    Exec full = bed.invoke(bridge19, "ADD", "ex9", bed.netns("ex9"), null, conf);
    assertThat(full.exit()).isNotZero();
    JsonNode err = json(full.stdout());
    assertThat(err.get("code").asInt()).isEqualTo(100);
    assertThat(err.get("msg").asText())
        .isEqualTo(
            "no free address in host block 10.214.9.0/29 of pool 10.214.9.0/29, no free block to claim and none to borrow from");
    Exec status = bed.invoke(bridge19, "STATUS", null, null, null, conf);
    assertThat(json(status.stdout()).get("code").asInt()).isEqualTo(50);
    assertThat(json(status.stdout()).get("msg").asText()).contains("10.214.9.0/29");
  }

  @Test
  void gcReleasesWhatIsNotListedUnderEitherKey() throws Exception {
    String conf = conf("1.1.0", "netf", "");
    for (String c : new String[] {"ga", "gb", "gc"}) {
      ok(bed.invoke(bridge19, "ADD", c, bed.netns(c), null, conf));
    }
    String gc =
        conf.substring(0, conf.length() - 1)
            + ",\"cni.dev/valid-attachments\":[{\"containerID\":\"ga\",\"ifname\":\"eth0\"}],"
            + "\"cni.dev/attachments\":[{\"containerID\":\"gb\",\"ifname\":\"eth0\"}]}";
    // The bridge plugin does not forward GC (the runtime sends it to each plugin): sent to the
    // shim.
    ok(bed.invoke(shim, "GC", null, null, null, gc));
    assertThat(bed.invoke(shim, "CHECK", "ga", null, null, conf).exit()).isZero();
    assertThat(bed.invoke(shim, "CHECK", "gb", null, null, conf).exit()).isZero();
    assertThat(json(bed.invoke(shim, "CHECK", "gc", null, null, conf).stdout()).get("code").asInt())
        .isEqualTo(102);
    // Sent to the shim directly, with the spec's key only.
    String direct = "{\"cniVersion\":\"1.1.0\",\"name\":\"netf\",\"cni.dev/valid-attachments\":[]}";
    ok(bed.invoke(shim, "GC", null, null, null, direct));
    assertThat(json(bed.invoke(shim, "CHECK", "ga", null, null, conf).stdout()).get("code").asInt())
        .isEqualTo(102);
  }

  @Test
  void aNetnsGoneWithoutDelIsReclaimedAfterTheGrace() throws Exception {
    String conf = conf("1.0.0", "netg", "");
    String ns = bed.netns("leak");
    String ns2 = bed.netns("live");
    ok(bed.invoke(bridge11, "ADD", "leak", ns, null, conf));
    ok(bed.invoke(bridge11, "ADD", "live", ns2, null, conf));
    assertThat(bed.get("/v1/show"))
        .contains("  netg leak eth0 host=h1 10.213.")
        .contains("netns=" + ns);
    assertThat(bed.get("/metrics")).containsPattern("cluster_ipam_cni_attachments [1-9]");
    bed.deleteNetns(ns); // the runtime died: no DEL ever comes
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (bed.invoke(shim, "CHECK", "leak", null, null, conf).exit() == 0
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(
            json(bed.invoke(shim, "CHECK", "leak", null, null, conf).stdout()).get("code").asInt())
        .isEqualTo(102);
    assertThat(bed.invoke(shim, "CHECK", "live", null, null, conf).exit())
        .as("a live netns is kept")
        .isZero();
    assertThat(bed.daemon().log())
        .contains("event=reclaimed_cni_attachment network=netg container=leak");
    assertThat(bed.get("/metrics"))
        .contains("cluster_ipam_reconcile_reclaimed_total{kind=\"cni_attachment\"}");
    assertThat(bed.attachments("netg")).isEqualTo(1);
  }

  @Test
  void whenTheDaemonIsDownTheShimSays11AndStatus50() throws Exception {
    String conf = conf("1.1.0", "neth", "");
    ok(bed.invoke(bridge19, "STATUS", null, null, null, conf));
    bed.stopDaemon();
    try {
      Exec status = bed.invoke(bridge19, "STATUS", null, null, null, conf);
      assertThat(status.exit()).isNotZero();
      assertThat(json(status.stdout()).get("code").asInt()).isEqualTo(50);
      assertThat(json(status.stdout()).get("msg").asText())
          .isEqualTo("the cluster-ipam daemon is not answering");
      Exec add =
          bed.invoke(
              bridge11, "ADD", "down", bed.netns("down"), null, conf.replace("1.1.0", "1.0.0"));
      assertThat(add.exit()).isNotZero();
      assertThat(json(add.stdout()).get("code").asInt()).isEqualTo(11);
    } finally {
      bed.startDaemon();
    }
    ok(bed.invoke(bridge19, "STATUS", null, null, null, conf));
  }
}
