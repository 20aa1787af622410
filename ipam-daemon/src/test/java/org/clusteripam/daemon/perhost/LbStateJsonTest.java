package org.clusteripam.daemon.perhost;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.CatalogService;
import org.clusteripam.core.perhost.CatalogTask;
import org.clusteripam.core.perhost.LbDesiredState;
import org.clusteripam.core.perhost.PlaceholderMapping;
import org.clusteripam.core.perhost.PlaceholderRoute;
import org.clusteripam.core.perhost.ServicePort;
import org.clusteripam.core.perhost.VipRoute;
import org.junit.jupiter.api.Test;

/** The exact JSON of lb-state and /v1/lb (the swarm test and scripts parse it). */
class LbStateJsonTest {
  static final IpPrefix POOL = IpPrefix.parse("10.91.0.0/24");

  static IpAddress ip(String s) {
    return IpAddress.parse(s);
  }

  @Test
  void desiredState() {
    LbDesiredState s =
        new LbDesiredState(
            new HostId("h1"),
            List.of(
                new VipRoute(
                    POOL,
                    "sweb",
                    "web",
                    ip("10.91.0.5"),
                    true,
                    List.of(ServicePort.parse("80/tcp")),
                    List.of(ip("10.91.0.2")))),
            List.of(
                new PlaceholderRoute(
                    POOL,
                    ip("10.91.0.200"),
                    new HostId("h2"),
                    ip("10.91.0.66"),
                    "sweb",
                    List.of())));
    assertThat(LbStateJson.desiredState(s))
        .isEqualTo(
            "{\"host\":\"h1\",\"vips\":[{\"pool\":\"10.91.0.0/24\",\"serviceId\":\"sweb\","
                + "\"serviceName\":\"web\",\"frontend\":\"10.91.0.5\",\"hostVip\":true,\"ports\":[\"80/tcp\"],\"backends\":[\"10.91.0.2\"]}],"
                + "\"placeholders\":[{\"pool\":\"10.91.0.0/24\",\"placeholder\":\"10.91.0.200\",\"host\":\"h2\",\"actual\":\"10.91.0.66\","
                + "\"serviceId\":\"sweb\",\"ports\":[]}]}\n");
    assertThat(LbStateJson.desiredState(LbDesiredState.empty(new HostId("h3"))))
        .isEqualTo("{\"host\":\"h3\",\"vips\":[],\"placeholders\":[]}\n");
  }

  @Test
  void catalogAndMappings() {
    Map<IpPrefix, List<CatalogService>> byPool =
        Map.of(
            POOL,
            List.of(
                new CatalogService(
                    "sweb",
                    "web",
                    Optional.of(ip("10.91.0.194")),
                    List.of(ServicePort.parse("53/udp"), ServicePort.parse("80/tcp")),
                    List.of(new CatalogTask("t1", ip("10.91.0.195")))),
                new CatalogService("sdb", "db", Optional.empty(), List.of(), List.of())));
    String json =
        LbStateJson.catalog(
            byPool,
            List.of(
                new PlaceholderMapping(
                    POOL, ip("10.91.0.195"), new HostId("h1"), ip("10.91.0.3"), 42)),
            List.of(
                new org.clusteripam.core.perhost.NodeTasks(
                    POOL,
                    new HostId("h2"),
                    List.of(
                        new org.clusteripam.core.perhost.TaskAddress(
                            "sdb", "db", "t9", ip("10.91.0.70"))))));
    assertThat(json)
        .isEqualTo(
            "{\"pools\":[{\"pool\":\"10.91.0.0/24\",\"services\":["
                + "{\"serviceId\":\"sweb\",\"name\":\"web\",\"vip\":\"10.91.0.194\",\"ports\":[\"80/tcp\",\"53/udp\"],"
                + "\"tasks\":[{\"taskId\":\"t1\",\"placeholder\":\"10.91.0.195\"}]},"
                + "{\"serviceId\":\"sdb\",\"name\":\"db\",\"vip\":null,\"ports\":[],\"tasks\":[]}]}],"
                + "\"mappings\":[{\"pool\":\"10.91.0.0/24\",\"placeholder\":\"10.91.0.195\",\"host\":\"h1\",\"actual\":\"10.91.0.3\"}],"
                + "\"published\":[{\"pool\":\"10.91.0.0/24\",\"host\":\"h2\",\"tasks\":[{\"serviceId\":\"sdb\",\"serviceName\":\"db\","
                + "\"taskId\":\"t9\",\"address\":\"10.91.0.70\"}]}]}\n");
  }
}
