package org.clusteripam.daemon.perhost;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.CatalogService;
import org.clusteripam.core.perhost.CatalogTask;
import org.clusteripam.core.perhost.ServicePort;
import org.junit.jupiter.api.Test;

/**
 * Swarm's JSON (the shapes dockerd 20.10 returns on a manager) → the catalog of each per-host
 * network.
 */
class SwarmCatalogTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Predicate<String> OURS =
      d -> d != null && (d.equals("cluster-ipam") || d.startsWith("cluster-ipam:"));
  static final IpPrefix PH = IpPrefix.parse("10.91.0.0/24");

  static final String NETWORKS =
      """
      [
       {"Name":"ph","Id":"nph","Scope":"swarm","Driver":"overlay",
        "IPAM":{"Driver":"cluster-ipam:latest","Options":{"addressing":"per-host"},"Config":[{"Subnet":"10.91.0.0/24","Gateway":"10.91.0.1"}]}},
       {"Name":"cl","Id":"ncl","Scope":"swarm","Driver":"overlay",
        "IPAM":{"Driver":"cluster-ipam:latest","Options":null,"Config":[{"Subnet":"10.92.0.0/24","Gateway":"10.92.0.1"}]}},
       {"Name":"ingress","Id":"ning","Scope":"swarm","Driver":"overlay","Ingress":true,
        "IPAM":{"Driver":"default","Options":{"addressing":"per-host"},"Config":[{"Subnet":"10.0.0.0/24","Gateway":"10.0.0.1"}]}},
       {"Name":"bridge","Id":"nbr","Scope":"local","Driver":"bridge","IPAM":{"Driver":"default","Options":null,"Config":[]}}
      ]""";

  static final String SERVICES =
      """
      [
       {"ID":"sweb","Spec":{"Name":"web",
          "TaskTemplate":{"ContainerSpec":{"Image":"bb:1"},"Networks":[{"Target":"nph"},{"Target":"ning"}]},
          "EndpointSpec":{"Mode":"vip","Ports":[{"Protocol":"tcp","TargetPort":80,"PublishedPort":8080,"PublishMode":"ingress"},
                                                {"Protocol":"udp","TargetPort":53,"PublishedPort":5353,"PublishMode":"ingress"}]}},
        "Endpoint":{"Spec":{"Mode":"vip"},"VirtualIPs":[{"NetworkID":"ning","Addr":"10.0.0.5/24"},{"NetworkID":"nph","Addr":"10.91.0.194/24"}]}},
       {"ID":"sdb","Spec":{"Name":"db",
          "TaskTemplate":{"ContainerSpec":{"Image":"bb:1"},"Networks":[{"Target":"nph"}]},
          "EndpointSpec":{"Mode":"dnsrr"}},
        "Endpoint":{"Spec":{"Mode":"dnsrr"}}},
       {"ID":"sother","Spec":{"Name":"other","TaskTemplate":{"Networks":[{"Target":"ncl"}]},"EndpointSpec":{"Mode":"vip"}},
        "Endpoint":{"VirtualIPs":[{"NetworkID":"ncl","Addr":"10.92.0.5/24"}]}},
       {"ID":"snew","Spec":{"Name":"idle","TaskTemplate":{"Networks":[{"Target":"nph"}]},"Mode":{"Replicated":{"Replicas":0}}},
        "Endpoint":{"Spec":{}}}
      ]""";

  static final String TASKS =
      """
      [
       {"ID":"tweb1","ServiceID":"sweb","NodeID":"n1","DesiredState":"running","Status":{"State":"running"},
        "NetworksAttachments":[{"Network":{"ID":"ning","Spec":{"Name":"ingress"}},"Addresses":["10.0.0.7/24"]},
                               {"Network":{"ID":"nph","Spec":{"Name":"ph"}},"Addresses":["10.91.0.195/24"]}]},
       {"ID":"tweb2","ServiceID":"sweb","NodeID":"n2","DesiredState":"running","Status":{"State":"pending"},
        "NetworksAttachments":[{"Network":{"ID":"nph"},"Addresses":["10.91.0.197/24"]}]},
       {"ID":"tweb0","ServiceID":"sweb","NodeID":"n2","DesiredState":"shutdown","Status":{"State":"shutdown"},
        "NetworksAttachments":[{"Network":{"ID":"nph"},"Addresses":["10.91.0.199/24"]}]},
       {"ID":"tdb1","ServiceID":"sdb","NodeID":"n2","DesiredState":"running","Status":{"State":"running"},
        "NetworksAttachments":[{"Network":{"ID":"nph"},"Addresses":["10.91.0.196/24"]}]},
       {"ID":"tother1","ServiceID":"sother","NodeID":"n1","DesiredState":"running",
        "NetworksAttachments":[{"Network":{"ID":"ncl"},"Addresses":["10.92.0.9/24"]}]}
      ]""";

  static JsonNode json(String s) throws Exception {
    return JSON.readTree(s);
  }

  static IpAddress ip(String s) {
    return IpAddress.parse(s);
  }

  static SwarmCatalog.Result convert(
      String networks, String services, String tasks, Set<IpPrefix> known) throws Exception {
    return SwarmCatalog.convert(json(networks), json(services), json(tasks), OURS, known);
  }

  @Test
  void perHostNetworkOfOursGetsItsServicesWithVipsPortsAndRunningTasks() throws Exception {
    SwarmCatalog.Result r = convert(NETWORKS, SERVICES, TASKS, Set.of());
    assertThat(r.skipped()).isEmpty();
    assertThat(r.byPool())
        .as("the cluster-mode network of ours and Docker's own networks are not per-host")
        .containsOnlyKeys(PH);
    assertThat(r.byPool().get(PH))
        .containsExactlyInAnyOrder(
            new CatalogService(
                "sweb",
                "web",
                Optional.of(ip("10.91.0.194")),
                List.of(ServicePort.parse("80/tcp"), ServicePort.parse("53/udp")),
                List.of(
                    new CatalogTask("tweb1", ip("10.91.0.195")),
                    new CatalogTask("tweb2", ip("10.91.0.197")))),
            new CatalogService(
                "sdb",
                "db",
                Optional.empty(),
                List.of(),
                List.of(new CatalogTask("tdb1", ip("10.91.0.196")))),
            new CatalogService("snew", "idle", Optional.empty(), List.of(), List.of()));
  }

  @Test
  void vipLengthIsStrippedAndAShutDownTaskIsNotListed() throws Exception {
    CatalogService web =
        convert(NETWORKS, SERVICES, TASKS, Set.of()).byPool().get(PH).stream()
            .filter(s -> s.serviceId().equals("sweb"))
            .findFirst()
            .orElseThrow();
    assertThat(web.vip()).contains(ip("10.91.0.194"));
    assertThat(web.tasks())
        .extracting(CatalogTask::taskId)
        .containsExactly("tweb1", "tweb2")
        .doesNotContain("tweb0");
  }

  @Test
  void aPerHostNetworkWithoutServicesPublishesAnEmptyCatalog() throws Exception {
    SwarmCatalog.Result r = convert(NETWORKS, "[]", "[]", Set.of());
    assertThat(r.byPool()).containsOnlyKeys(PH);
    assertThat(r.byPool().get(PH)).isEmpty();
  }

  @Test
  void aNetworkOfOursTheStoreKnowsAsPerHostCountsWithoutTheOption() throws Exception {
    SwarmCatalog.Result r =
        convert(NETWORKS, SERVICES, TASKS, Set.of(IpPrefix.parse("10.92.0.0/24")));
    assertThat(r.byPool()).containsOnlyKeys(PH, IpPrefix.parse("10.92.0.0/24"));
    assertThat(r.byPool().get(IpPrefix.parse("10.92.0.0/24")))
        .containsExactly(
            new CatalogService(
                "sother",
                "other",
                Optional.of(ip("10.92.0.5")),
                List.of(),
                List.of(new CatalogTask("tother1", ip("10.92.0.9")))));
    assertThat(convert(NETWORKS, SERVICES, TASKS, Set.of(IpPrefix.parse("10.0.0.0/24"))).byPool())
        .as("a network of another IPAM driver never counts")
        .containsOnlyKeys(PH);
  }

  @Test
  void dualStackNetworkSplitsVipsAndTasksByFamily() throws Exception {
    String networks =
        """
        [{"Name":"ds","Id":"nds","IPAM":{"Driver":"cluster-ipam","Options":{"addressing":"per-host"},
          "Config":[{"Subnet":"10.93.0.0/24"},{"Subnet":"fd93::/64"}]}}]""";
    String services =
        """
        [{"ID":"s1","Spec":{"Name":"a","EndpointSpec":{"Ports":[{"TargetPort":8080}]}},
          "Endpoint":{"VirtualIPs":[{"NetworkID":"nds","Addr":"10.93.0.200/24"}]}}]""";
    String tasks =
        """
        [{"ID":"t1","ServiceID":"s1","DesiredState":"running",
          "NetworksAttachments":[{"Network":{"ID":"nds"},"Addresses":["10.93.0.201/24","fd93::c9/64"]}]}]""";
    SwarmCatalog.Result r = convert(networks, services, tasks, Set.of());
    assertThat(r.byPool().get(IpPrefix.parse("10.93.0.0/24")))
        .containsExactly(
            new CatalogService(
                "s1",
                "a",
                Optional.of(ip("10.93.0.200")),
                List.of(ServicePort.parse("8080/tcp")),
                List.of(new CatalogTask("t1", ip("10.93.0.201")))));
    assertThat(r.byPool().get(IpPrefix.parse("fd93::/64")))
        .containsExactly(
            new CatalogService(
                "s1",
                "a",
                Optional.empty(),
                List.of(ServicePort.parse("8080/tcp")),
                List.of(new CatalogTask("t1", ip("fd93::c9")))));
  }

  @Test
  void entriesTheCatalogCannotHoldAreSkippedOneByOneAndReported() throws Exception {
    String services =
        """
        [{"ID":"bad id","Spec":{"Name":"x","TaskTemplate":{"Networks":[{"Target":"nph"}]}}},
         {"ID":"sok","Spec":{"Name":"ok","TaskTemplate":{"Networks":[{"Target":"ph"}]},
           "EndpointSpec":{"Ports":[{"Protocol":"quic","TargetPort":443},{"Protocol":"tcp","TargetPort":443}]}}}]""";
    String tasks =
        """
        [{"ID":"t1","ServiceID":"sok","DesiredState":"running","NetworksAttachments":[{"Network":{"ID":"nph"},"Addresses":["10.91.0.300/24"]}]},
         {"ID":"t2","ServiceID":"sok","DesiredState":"running","NetworksAttachments":[{"Network":{"ID":"nph"},"Addresses":["10.91.0.198/24"]}]}]""";
    SwarmCatalog.Result r = convert(NETWORKS, services, tasks, Set.of());
    assertThat(r.byPool().get(PH))
        .as("the template may name the network by name too")
        .containsExactly(
            new CatalogService(
                "sok",
                "ok",
                Optional.empty(),
                List.of(ServicePort.parse("443/tcp")),
                List.of(new CatalogTask("t2", ip("10.91.0.198")))));
    assertThat(r.skipped())
        .hasSize(3)
        .anyMatch(s -> s.startsWith("service bad id"))
        .anyMatch(s -> s.contains("10.91.0.300"))
        .anyMatch(s -> s.contains("quic"));
  }

  @Test
  void aSwarmNetworkOfALocalDriverTakesItsIpamFromItsConfigOnlyNetwork() throws Exception {
    String networks =
        """
        [
         {"Name":"rbcfg","Id":"ncfg","Scope":"local","Driver":"null","ConfigOnly":true,
          "IPAM":{"Driver":"cluster-ipam:latest","Options":{"addressing":"per-host"},"Config":[{"Subnet":"10.93.0.0/24"}]}},
         {"Name":"rb","Id":"nrb","Scope":"swarm","Driver":"bridge","ConfigFrom":{"Network":"rbcfg"},
          "IPAM":{"Driver":"default","Options":null,"Config":[]}}
        ]""";
    String services =
        """
        [{"ID":"secho","Spec":{"Name":"echo","TaskTemplate":{"Networks":[{"Target":"nrb"}]},"EndpointSpec":{"Mode":"vip"}},
          "Endpoint":{"Spec":{"Mode":"vip"}}}]""";
    // Swarm allocates nothing on a local-driver network: the task is attached, with no address.
    String tasks =
        """
        [{"ID":"techo1","ServiceID":"secho","DesiredState":"running","Status":{"State":"running"},
          "NetworksAttachments":[{"Network":{"ID":"nrb"}}]}]""";
    SwarmCatalog.Result r = convert(networks, services, tasks, Set.of());
    IpPrefix rb = IpPrefix.parse("10.93.0.0/24");
    assertThat(r.byPool()).containsOnlyKeys(rb);
    assertThat(r.byPool().get(rb))
        .containsExactly(
            new CatalogService("secho", "echo", Optional.empty(), List.of(), List.of()));
    assertThat(r.skipped()).isEmpty();
  }
}
