package org.clusteripam.daemon.cni;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.daemon.docker.DockerdProcess;
import org.clusteripam.testkit.etcd.EtcdProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hosts on one real etcd, each a daemon of its own (node id, CNI socket, state and temp
 * directories) serving ADDs of one CNI network through the C shim and the real bridge plugin in
 * namespaces of this test, host A also a real dockerd's IPAM plugin with a Docker network naming
 * the same pool: every address comes from a block its host owns, none twice; replay, DEL, a GC that
 * stays on its host, and STATUS per host (50 where etcd cannot be reached).
 */
class CniTwoHostsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String PREFIX = "/two/";
  @TempDir Path dir;

  static String conf(CniBed bed, String net) {
    return "{\"cniVersion\":\"1.1.0\",\"name\":\""
        + net
        + "\",\"type\":\"bridge\",\"bridge\":\"cb"
        + bed.tag
        + net.charAt(0)
        + "\",\"isGateway\":true,\"ipam\":{\"type\":\"cluster-ipam\"}}";
  }

  static Exec ok(Exec e) {
    assertThat(e.exit()).as("exit of a plugin call: " + e.stdout() + e.stderr()).isZero();
    return e;
  }

  static String address(Exec add) throws Exception {
    String a = JSON.readTree(add.stdout()).at("/ips/0/address").asText();
    return a.substring(0, a.indexOf('/'));
  }

  static int code(Exec e) throws Exception {
    assertThat(e.exit()).as(e.stdout()).isNotZero();
    return JSON.readTree(e.stdout()).path("code").asInt();
  }

  /**
   * ADDs {@code containers} of network "shared" one after another on one host; container → address,
   * checked inside its netns.
   */
  static Map<String, String> addAll(CniBed bed, Path bridge, List<String> containers)
      throws Exception {
    Map<String, String> out = new HashMap<>();
    for (String c : containers) {
      String ns = bed.netns(c);
      String a = address(ok(bed.invoke(bridge, "ADD", c, ns, null, conf(bed, "shared"))));
      assertThat(CniBed.inside(ns, "ip -4 -o addr show dev eth0")).contains("inet " + a + "/");
      out.put(c, a);
    }
    return out;
  }

  /**
   * The map's search; asked again while Docker was slower than the search waits for it (a loaded
   * machine): the answer that arrives late is kept for the next search.
   */
  static JsonNode search(CniBed bed, String q) throws Exception {
    for (int attempt = 0; ; attempt++) {
      JsonNode r =
          JSON.readTree(
              bed.get(
                  "/v1/map/search?q="
                      + java.net.URLEncoder.encode(q, java.nio.charset.StandardCharsets.UTF_8)));
      if (attempt >= 10 || !r.path("notes").toString().contains("did not answer within")) {
        return r;
      }
      Thread.sleep(500);
    }
  }

  /**
   * The whole store (every host) as {@code show --json} renders it, read from etcd by host A's
   * daemon (its client is warm).
   */
  static JsonNode store(CniBed bed) throws Exception {
    return JSON.readTree(bed.get("/v1/show?json"));
  }

  /** Every stored address of pool {@code prefix} → [owner of its block, its holders]. */
  static Map<String, List<String>> addresses(JsonNode show, IpPrefix prefix) {
    Map<String, List<String>> out = new HashMap<>();
    List<JsonNode> pools = new ArrayList<>();
    show.path("supernets").forEach(s -> s.path("pools").forEach(pools::add));
    show.path("outside").forEach(pools::add);
    for (JsonNode p : pools) {
      if (!p.path("pool").asText().equals(prefix.toString())) {
        continue;
      }
      for (JsonNode b : p.path("blocks")) {
        for (JsonNode a : b.path("addresses")) {
          List<String> v = new ArrayList<>(List.of(b.path("host").asText()));
          a.path("holders").forEach(h -> v.add(h.asText()));
          out.put(a.path("address").asText(), v);
        }
      }
    }
    return out;
  }

  @Test
  void twoHostsServeOneCniNetworkFromTheirOwnBlocks() throws Exception {
    long t0 = System.nanoTime();
    try (EtcdProcess etcd = EtcdProcess.start();
        TcpRelay relay = TcpRelay.to(etcd.endpoint())) {
      // Host B starts while host A's dockerd and daemon do: the slow part of the set-up, once.
      CompletableFuture<CniBed> startB =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return new CniBed(
                      Files.createDirectories(dir.resolve("b")),
                      Map.of(
                          "--node-id", "hb", "--etcd", relay.endpoint(), "--etcd-prefix", PREFIX));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      CniBed a = null;
      CniBed b = null;
      DockerdProcess docker = null;
      try {
        docker = DockerdProcess.start();
        a =
            new CniBed(
                Files.createDirectories(dir.resolve("a")),
                Map.of(
                    "--node-id",
                    "ha",
                    "--etcd",
                    etcd.endpoint(),
                    "--etcd-prefix",
                    PREFIX,
                    "--socket",
                    docker.pluginsDir().resolve("cluster-ipam.sock").toString(),
                    "--docker-host",
                    docker.dockerHost()));
        b = startB.join();
        phase("set up", t0);
        CniBed ha = a;
        CniBed hb = b;
        Path bridge =
            CniPlugins.binDir(CniPlugins.unstable(), dir.resolve("bin")).resolve("bridge");
        Path shim = bridge.resolveSibling("cluster-ipam");

        // Host A's Docker network names the pool first; both hosts' CNI ADDs run at the same time.
        docker.docker(
            "network",
            "create",
            "-d",
            "bridge",
            "--ipam-driver",
            "cluster-ipam",
            "--ipam-opt",
            "network=shared",
            "dsh");
        docker.docker("run", "-d", "--name", "shopweb", "--network", "dsh", "bb:1", "sleep", "600");
        IpPrefix pool =
            IpPrefix.parse(
                docker.docker(
                    "network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "dsh"));
        String dockerIp =
            docker.docker(
                "inspect",
                "-f",
                "{{(index .NetworkSettings.Networks \"dsh\").IPAddress}}",
                "shopweb");
        CompletableFuture<Map<String, String>> onB =
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return addAll(hb, bridge, List.of("b1", "b2", "b3", "b4"));
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
        Map<String, String> inA = addAll(ha, bridge, List.of("a1", "a2", "a3", "a4"));
        Map<String, String> inB = onB.join();
        String other =
            address(ok(a.invoke(bridge, "ADD", "ao", a.netns("ao"), null, conf(a, "other"))));

        List<String> all = new ArrayList<>(inA.values());
        all.addAll(inB.values());
        all.add(dockerIp);
        assertThat(all).as("no address twice").doesNotHaveDuplicates().hasSize(9);
        JsonNode show = store(a);
        Map<String, List<String>> stored = addresses(show, pool);
        for (var e : inA.entrySet()) {
          assertThat(pool.contains(IpAddress.parse(e.getValue())))
              .as(e.getValue() + " in the shared pool " + pool)
              .isTrue();
          assertThat(stored.get(e.getValue()))
              .as(e.toString())
              .containsExactly("ha", "@cni/ha/shared/" + e.getKey() + "/eth0");
        }
        for (var e : inB.entrySet()) {
          assertThat(stored.get(e.getValue()))
              .as(e.toString())
              .containsExactly("hb", "@cni/hb/shared/" + e.getKey() + "/eth0");
        }
        assertThat(stored.get(dockerIp))
            .as("the Docker container's address")
            .containsExactly("ha", "ha");
        assertThat(show.path("cniAttachments")).hasSize(9);

        phase("ADDs on both hosts and the store read", t0);
        // A repeated ADD is a replay on either host.
        assertThat(
                address(
                    ok(
                        a.invoke(
                            shim,
                            "ADD",
                            "a1",
                            "/run/netns/cic" + a.tag + "a1",
                            null,
                            conf(a, "shared")))))
            .isEqualTo(inA.get("a1"));
        assertThat(
                address(
                    ok(
                        b.invoke(
                            shim,
                            "ADD",
                            "b1",
                            "/run/netns/cic" + b.tag + "b1",
                            null,
                            conf(b, "shared")))))
            .isEqualTo(inB.get("b1"));

        // DEL releases (the bridge plugin forwards it).
        ok(a.invoke(bridge, "DEL", "a4", null, null, conf(a, "shared")));
        ok(b.invoke(bridge, "DEL", "b4", null, null, conf(b, "shared")));
        assertThat(code(a.invoke(shim, "CHECK", "a4", null, null, conf(a, "shared"))))
            .isEqualTo(102);
        assertThat(code(b.invoke(shim, "CHECK", "b4", null, null, conf(b, "shared"))))
            .isEqualTo(102);
        stored = addresses(store(a), pool);
        assertThat(stored).doesNotContainKeys(inA.get("a4"), inB.get("b4"));

        // GC on host A keeps what it lists; it releases A's other attachments of that network only.
        String gc =
            "{\"cniVersion\":\"1.1.0\",\"name\":\"shared\",\"cni.dev/valid-attachments\":[{\"containerID\":\"a1\",\"ifname\":\"eth0\"}]}";
        ok(a.invoke(shim, "GC", null, null, null, gc));
        assertThat(ok(a.invoke(shim, "CHECK", "a1", null, null, conf(a, "shared"))).exit())
            .isZero();
        for (String gone : List.of("a2", "a3")) {
          assertThat(code(a.invoke(shim, "CHECK", gone, null, null, conf(a, "shared"))))
              .as(gone)
              .isEqualTo(102);
        }
        for (String kept : List.of("b1", "b2", "b3")) {
          assertThat(b.invoke(shim, "CHECK", kept, null, null, conf(b, "shared")).exit())
              .as("host B's " + kept + " survives A's GC")
              .isZero();
        }
        assertThat(a.invoke(shim, "CHECK", "ao", null, null, conf(a, "other")).exit())
            .as("another network survives")
            .isZero();
        stored = addresses(store(a), pool);
        assertThat(stored)
            .doesNotContainKeys(inA.get("a2"), inA.get("a3"))
            .containsKeys(inA.get("a1"), inB.get("b1"), inB.get("b2"), inB.get("b3"));
        assertThat(stored.get(dockerIp))
            .as("GC leaves Docker's addresses alone")
            .containsExactly("ha", "ha");
        assertThat(other).isNotIn(all);

        phase("replay, DEL, GC", t0);
        // The map's search finds containers: Docker's by asking host A's dockerd, CNI's from the
        // store.
        String id = docker.docker("inspect", "-f", "{{.Id}}", "shopweb");
        String dockerWhy = "Docker container shopweb (" + id.substring(0, 12) + ") on network dsh";
        for (String q : List.of(id, id.substring(0, 12), "shopweb")) {
          JsonNode r = search(a, q);
          assertThat(r.path("notes")).as(q).isEmpty();
          assertThat(r.path("hits")).as(q).hasSize(1);
          assertThat(r.at("/hits/0/address").asText()).isEqualTo(dockerIp);
          assertThat(r.at("/hits/0/why").asText()).isEqualTo(dockerWhy);
          assertThat(r.at("/hits/0/pool").asText()).isEqualTo(pool.toString());
        }
        JsonNode cniHit = search(a, "b2"); // host B's attachment, from the store both hosts share
        assertThat(cniHit.at("/hits/0/address").asText()).isEqualTo(inB.get("b2"));
        assertThat(cniHit.at("/hits/0/why").asText())
            .isEqualTo("CNI container b2 (eth0) on host hb, network shared");
        // host B has no dockerd: it says so and still finds CNI containers
        JsonNode noDocker = search(b, "a1");
        assertThat(noDocker.path("notes").get(0).asText())
            .startsWith("Docker unreachable: ")
            .endsWith("Docker's containers were not searched");
        assertThat(noDocker.at("/hits/0/address").asText()).isEqualTo(inA.get("a1"));

        phase("map search", t0);
        // STATUS: both hosts can allocate; then host B loses etcd and says so, host A does not.
        ok(a.invoke(bridge, "STATUS", null, null, null, conf(a, "shared")));
        ok(b.invoke(bridge, "STATUS", null, null, null, conf(b, "shared")));
        phase("STATUS on both", t0);
        relay.cut();
        Exec down = b.invoke(bridge, "STATUS", null, null, null, conf(b, "shared"));
        assertThat(code(down)).isEqualTo(50);
        assertThat(JSON.readTree(down.stdout()).path("msg").asText()).contains("etcd");
        assertThat(code(b.invoke(bridge, "ADD", "b9", b.netns("b9"), null, conf(b, "shared"))))
            .isEqualTo(11);
        phase("STATUS and ADD on B without etcd", t0);
        ok(a.invoke(bridge, "STATUS", null, null, null, conf(a, "shared")));
        docker.tryDocker("rm", "-f", "shopweb");
        docker.tryDocker("network", "rm", "dsh");
      } finally {
        try {
          if (b == null) {
            b = startB.exceptionally(e -> null).join();
          }
          if (b != null) {
            b.close();
          }
        } finally {
          try {
            if (docker != null) {
              docker.close(); // while host A still answers the releases of its containers
            }
          } finally {
            if (a != null) {
              a.close();
            }
          }
        }
      }
    }
  }

  static void phase(String what, long t0) {
    System.out.println("[phase] " + what + " at " + (System.nanoTime() - t0) / 1_000_000 + " ms");
  }
}
