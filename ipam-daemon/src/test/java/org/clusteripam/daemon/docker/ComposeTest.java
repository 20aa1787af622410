package org.clusteripam.daemon.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.junit.jupiter.api.Test;

/**
 * Compose v2 (2.40, a CLI plugin of dockerd 28.5's CLI) with networks whose {@code ipam} names
 * cluster-ipam, with and without {@code config} and {@code options}: the project comes up, scales,
 * restarts and goes down with every address inside its pool, unique, and released afterwards.
 * Compose 2.40 reads {@code ipam.options} but does not pass it to the engine ({@code IPAM.Options}
 * stays empty): ipam options reach the plugin from a network made with {@code docker network create
 * --ipam-opt} and joined as {@code external}, as {@code shared} is here.
 */
class ComposeTest {
  static final String PROJECT = "cipam";
  static final String FILE =
      String.join(
          "\n",
          "services:",
          "  web:",
          "    image: bb:1",
          "    pull_policy: never",
          "    command: [\"sleep\", \"600\"]",
          "    networks: [front, back, shared]",
          "  db:",
          "    image: bb:1",
          "    pull_policy: never",
          "    command: [\"sleep\", \"600\"]",
          "    networks:",
          "      back:",
          "        ipv4_address: 10.71.0.250",
          "networks:",
          "  front:",
          "    ipam:",
          "      driver: cluster-ipam",
          "      options:",
          "        com.example.team: blue",
          "  back:",
          "    ipam:",
          "      driver: cluster-ipam",
          "      config:",
          "        - subnet: 10.71.0.0/24",
          "          ip_range: 10.71.0.128/25",
          "          gateway: 10.71.0.1",
          "      options:",
          "        foo: bar",
          "  shared:",
          "    external: true",
          "");

  @Test
  void upScaleRestartDownKeepsEveryAddressInsideItsPoolUniqueAndReleased() throws Exception {
    try (IpamOnDockerd h = IpamOnDockerd.start(Engine.docker28())) {
      Path file = h.docker.base().resolve("compose.yaml");
      Files.writeString(file, FILE);
      System.out.println("compose: " + h.compose(file, PROJECT, "version").strip());
      h.docker(
          "network",
          "create",
          "--ipam-driver",
          "cluster-ipam",
          "--ipam-opt",
          "com.example.team=blue",
          "shared");
      h.compose(file, PROJECT, "up", "-d");
      assertThat(
              h.docker(
                  "network",
                  "inspect",
                  "-f",
                  "{{.IPAM.Driver}} {{len .IPAM.Options}}",
                  PROJECT + "_back"))
          .as("compose drops ipam.options")
          .isEqualTo("cluster-ipam 0");
      assertThat(h.calls())
          .filteredOn(c -> c.method().equals("RequestPool"))
          // The trace holds Docker's raw requests: a network without options sends "Options": null.
          .extracting(
              c ->
                  c.request().path("Options").isNull()
                      ? "{}"
                      : c.request().path("Options").toString())
          .containsExactly("{\"com.example.team\":\"blue\"}", "{}", "{}");
      String front = h.subnets(PROJECT + "_front");
      assertThat(IpPrefix.parse("10.80.0.0/12").contains(IpPrefix.parse(front))).as(front).isTrue();
      assertThat(h.subnets(PROJECT + "_back")).isEqualTo("10.71.0.0/24");
      String shared = h.subnets("shared");
      assertProject(h, front, shared, 1);

      h.compose(file, PROJECT, "up", "-d", "--scale", "web=4");
      assertProject(h, front, shared, 4);

      h.compose(file, PROJECT, "restart", "-t", "0");
      assertProject(h, front, shared, 4);

      h.compose(file, PROJECT, "down", "-t", "0");
      assertThat(h.docker("network", "ls", "-q", "--filter", "name=" + PROJECT + "_")).isEmpty();
      assertThat(h.stored())
          .containsOnlyKeys(shared)
          .allSatisfy((pool, addrs) -> assertThat(addrs).doesNotContainValue("endpoint"));
      h.docker("network", "rm", "shared");
      assertThat(h.stored()).isEmpty();
    }
  }

  /**
   * Every container of the project has one address per network, inside the pool, unique, and the
   * store holds exactly them.
   */
  void assertProject(IpamOnDockerd h, String front, String shared, int webs) throws Exception {
    assertThat(
            h.docker("ps", "-q", "--filter", "label=com.docker.compose.service=web")
                .lines()
                .count())
        .isEqualTo(webs);
    Map<String, String> pools =
        Map.of(PROJECT + "_front", front, PROJECT + "_back", "10.71.0.0/24", "shared", shared);
    Map<String, Map<String, String>> stored = h.stored();
    for (Map.Entry<String, String> n : pools.entrySet()) {
      JsonNode net = IpamOnDockerd.JSON.readTree(h.docker("network", "inspect", n.getKey())).get(0);
      List<String> addrs = new ArrayList<>();
      net.path("Containers")
          .forEach(
              c -> {
                String a = c.path("IPv4Address").asText();
                addrs.add(a.substring(0, a.indexOf('/')));
              });
      assertThat(addrs)
          .as(n.getKey())
          .hasSize(webs + (n.getKey().endsWith("back") ? 1 : 0))
          .doesNotHaveDuplicates();
      IpPrefix pool = IpPrefix.parse(n.getValue());
      assertThat(addrs).as(n.getKey()).allMatch(a -> pool.contains(IpAddress.parse(a)));
      if (n.getKey().endsWith("back")) {
        assertThat(addrs).contains("10.71.0.250");
        assertThat(addrs)
            .filteredOn(a -> !a.equals("10.71.0.250"))
            .as("dynamic addresses inside ip_range")
            .allMatch(a -> IpPrefix.parse("10.71.0.128/25").contains(IpAddress.parse(a)));
      }
      TreeSet<String> expected = new TreeSet<>(addrs);
      Map<String, String> inStore = stored.get(n.getValue());
      inStore.forEach(
          (a, kind) -> {
            if (kind.equals("gateway")) {
              expected.add(a);
            }
          });
      assertThat(inStore.keySet()).as("store of " + n.getValue()).isEqualTo(expected);
    }
    assertThat(stored).containsOnlyKeys(front, "10.71.0.0/24", shared);
    assertThat(stored.get("10.71.0.0/24")).containsEntry("10.71.0.1", "gateway");
  }
}
