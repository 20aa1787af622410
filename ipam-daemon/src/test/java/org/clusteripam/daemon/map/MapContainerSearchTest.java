package org.clusteripam.daemon.map;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.clusteripam.core.cni.AddRequest;
import org.clusteripam.core.cni.AttachmentId;
import org.clusteripam.core.cni.PoolSpec;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.InMemoryStateStore;
import org.junit.jupiter.api.Test;

/**
 * Search by container id (full or a unique prefix of 12+) and name: CNI from the store, Docker from
 * the directory.
 */
class MapContainerSearchTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String ID1 = "3f4e5d6c7b8a" + "9".repeat(52);
  static final String ID2 = "3f4e5d6c7b8a" + "0".repeat(52); // the same 12-character prefix as ID1
  static final String CNI_ID = "a0b1c2d3e4f5a6b7c8d9";
  final InMemoryStateStore store = new InMemoryStateStore();
  final IpamConfig config = IpamConfig.builder().supernet(IpPrefix.parse("10.80.0.0/16")).build();
  final Clock clock = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);
  final IpamEngine engine = IpamEngine.open(store, config, clock);
  final IpAddress docker1;
  final IpAddress docker2;
  final IpAddress cni;

  MapContainerSearchTest() {
    PoolGrant g =
        engine
            .driver()
            .requestPool(
                new PoolRequest(
                    new HostId("h1"),
                    "ClusterIpamLocal",
                    Optional.empty(),
                    Optional.empty(),
                    Map.of("network", "web"),
                    false));
    docker1 =
        engine
            .driver()
            .requestAddress(
                new AddressRequest(
                    new HostId("h1"), g.id(), Optional.empty(), AddressKind.ENDPOINT, Map.of()))
            .address();
    docker2 =
        engine
            .driver()
            .requestAddress(
                new AddressRequest(
                    new HostId("h1"), g.id(), Optional.empty(), AddressKind.ENDPOINT, Map.of()))
            .address();
    cni =
        engine
            .cni(new HostId("h1"))
            .add(
                new AddRequest(
                    new AttachmentId("web", CNI_ID, "eth0"),
                    "",
                    "",
                    List.of(PoolSpec.dynamic(IpFamily.IPV4, "web")),
                    List.of()))
            .ips()
            .get(0)
            .address();
  }

  IpamQueries.Snapshot snapshot() {
    return new IpamQueries(store, config).snapshot();
  }

  ContainerDirectory docker() {
    return () ->
        new ContainerDirectory.Known(
            List.of(
                new ContainerDirectory.Container(ID1, "shop-web-1", "webnet", List.of(docker1)),
                new ContainerDirectory.Container(ID2, "shop-db-1", "webnet", List.of(docker2))));
  }

  static List<String> labels(MapSearch.Result r) {
    return r.hits().stream().map(h -> h.label() + " " + h.why()).toList();
  }

  @Test
  void dockerContainersByFullIdUniquePrefixAndName() {
    assertThat(labels(MapSearch.search(snapshot(), ID1, docker())))
        .containsExactly(docker1 + " Docker container shop-web-1 (3f4e5d6c7b8a) on network webnet");
    assertThat(labels(MapSearch.search(snapshot(), ID2.substring(0, 13), docker())))
        .containsExactly(docker2 + " Docker container shop-db-1 (3f4e5d6c7b8a) on network webnet");
    assertThat(labels(MapSearch.search(snapshot(), "shop-db", docker())))
        .containsExactly(docker2 + " Docker container shop-db-1 (3f4e5d6c7b8a) on network webnet");
    MapSearch.Result r = MapSearch.search(snapshot(), "shop", docker());
    assertThat(r.hits())
        .extracting(h -> h.address().orElseThrow())
        .containsExactlyInAnyOrder(docker1, docker2);
    assertThat(r.hits()).allSatisfy(h -> assertThat(h.block()).isPresent());
  }

  @Test
  void anAmbiguousPrefixOrOneTooShortFindsNoContainer() {
    MapSearch.Result r = MapSearch.search(snapshot(), ID1.substring(0, 12), docker());
    assertThat(r.hits()).isEmpty();
    assertThat(r.notes())
        .containsExactly(
            "container id prefix 3f4e5d6c7b8a is ambiguous: 2 containers have it; give more characters");
    assertThat(MapSearch.search(snapshot(), ID1.substring(0, 11), docker()).hits()).isEmpty();
  }

  @Test
  void cniContainersFromTheStoreAlsoWhenDockerIsUnreachable() {
    ContainerDirectory down =
        () -> new ContainerDirectory.Unreachable("Docker unreachable: connection refused");
    MapSearch.Result full = MapSearch.search(snapshot(), CNI_ID, down);
    assertThat(labels(full))
        .containsExactly(cni + " CNI container " + CNI_ID + " (eth0) on host h1, network web");
    assertThat(full.notes())
        .containsExactly(
            "Docker unreachable: connection refused: Docker's containers were not searched");
    assertThat(labels(MapSearch.search(snapshot(), CNI_ID.substring(0, 12).toUpperCase(), down)))
        .hasSize(1);
    assertThat(MapSearch.search(snapshot(), docker1.toString(), down).notes())
        .as("an address does not ask Docker")
        .isEmpty();
  }

  @Test
  void theDockerDirectoryReadsOurNetworksOnlyAndKeepsItsAnswerBriefly() throws Exception {
    JsonNode networks =
        JSON.readTree(
            "[{\"Id\":\"n1\",\"Name\":\"webnet\",\"IPAM\":{\"Driver\":\"cluster-ipam\"}},"
                + "{\"Id\":\"n2\",\"Name\":\"bridge\",\"IPAM\":{\"Driver\":\"default\"}}]");
    JsonNode containers =
        JSON.readTree(
            "[{\"Id\":\""
                + ID1
                + "\",\"Names\":[\"/shop-web-1\"],\"NetworkSettings\":{\"Networks\":{"
                + "\"webnet\":{\"NetworkID\":\"n1\",\"IPAddress\":\"10.80.0.2\",\"GlobalIPv6Address\":\"\"},"
                + "\"bridge\":{\"NetworkID\":\"n2\",\"IPAddress\":\"172.17.0.2\"}}}}]");
    AtomicInteger calls = new AtomicInteger();
    AtomicLong now = new AtomicLong();
    boolean[] up = {true};
    DockerContainerDirectory d =
        new DockerContainerDirectory(
            path -> {
              calls.incrementAndGet();
              if (!up[0]) {
                throw new IllegalStateException("connection refused");
              }
              return path.equals("/networks") ? networks : containers;
            },
            driver -> "cluster-ipam".equals(driver),
            now::get);
    assertThat(d.containers())
        .isEqualTo(
            new ContainerDirectory.Known(
                List.of(
                    new ContainerDirectory.Container(
                        ID1, "shop-web-1", "webnet", List.of(IpAddress.parse("10.80.0.2"))))));
    up[0] = false;
    assertThat(d.containers()).isInstanceOf(ContainerDirectory.Known.class);
    assertThat(calls).hasValue(2);
    now.addAndGet(DockerContainerDirectory.TTL.toNanos());
    assertThat(d.containers())
        .isEqualTo(new ContainerDirectory.Unreachable("Docker unreachable: connection refused"));
  }
}
