package org.clusteripam.daemon.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.reconcile.DockerNetwork;
import org.junit.jupiter.api.Test;

/** Reading Docker's network inspect JSON (the shape dockerd 20.10.24 returns). */
class DockerApiTest {
  static final String INSPECT =
      """
      {"Name":"st1","Id":"abc","Scope":"local","Driver":"bridge","EnableIPv6":true,
       "IPAM":{"Driver":"cluster-ipam","Options":{},"Config":[
         {"Subnet":"10.6.0.0/16","IPRange":"10.6.5.0/24","Gateway":"10.6.0.254","AuxiliaryAddresses":{"host1":"10.6.5.7","outside":"10.6.9.9"}},
         {"Subnet":"fd00:6::/64","Gateway":"fd00:6::ffff"}]},
       "Containers":{"c1":{"Name":"s1","EndpointID":"e1","MacAddress":"02:42:0a:06:05:01","IPv4Address":"10.6.5.1/16","IPv6Address":"fd00:6::1/64"},
                     "c2":{"Name":"s2","EndpointID":"e2","MacAddress":"02:42:0a:06:05:4d","IPv4Address":"10.6.5.77/16","IPv6Address":""}}}
      """;

  static IpAddress ip(String s) {
    return IpAddress.parse(s);
  }

  @Test
  void readsSubnetsRangesGatewaysAuxAndEndpoints() throws Exception {
    DockerNetwork n = DockerApi.network(new ObjectMapper().readTree(INSPECT));
    assertThat(n.name()).isEqualTo("st1");
    assertThat(n.subnets())
        .containsExactly(IpPrefix.parse("10.6.0.0/16"), IpPrefix.parse("fd00:6::/64"));
    assertThat(n.ipRanges())
        .isEqualTo(Map.of(IpPrefix.parse("10.6.0.0/16"), IpPrefix.parse("10.6.5.0/24")));
    assertThat(n.gateways()).isEqualTo(Set.of(ip("10.6.0.254"), ip("fd00:6::ffff")));
    assertThat(n.aux()).isEqualTo(Set.of(ip("10.6.5.7"), ip("10.6.9.9")));
    assertThat(n.endpoints()).isEqualTo(Set.of(ip("10.6.5.1"), ip("fd00:6::1"), ip("10.6.5.77")));
    assertThat(n.swarm()).isFalse();
    assertThat(n.live()).hasSize(7);
  }

  @Test
  void matchesTheLegacyNameAndAnyTagOfTheManagedPlugin() {
    try (DockerApi api = new DockerApi("unix:///nonexistent.sock", "cluster-ipam")) {
      assertThat(List.of("cluster-ipam", "cluster-ipam:latest", "cluster-ipam:1.2"))
          .allMatch(api::ours);
      assertThat(List.of("default", "cluster-ipam2", "other:cluster-ipam", ""))
          .noneMatch(api::ours);
      assertThat(api.ours(null)).isFalse();
    }
  }
}
