package org.clusteripam.daemon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.HostAddressing;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.daemon.Cli;
import org.clusteripam.daemon.perhost.PerHostFixture;
import org.clusteripam.etcd.file.FileStateStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cluster-ipam lb-state} on an embedded store holding a per-host pool, its catalog and
 * mappings.
 */
class LbStateCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  PerHostFixture fx;
  IpAddress h1Vip;

  @BeforeEach
  void perHostPoolWithACatalog() {
    try (StateStore store = FileStateStore.open(dir)) {
      fx = new PerHostFixture(store);
      HostAddressing h1 =
          IpamEngine.open(store, IpamConfig.defaults(), Clock.systemUTC()).perHost();
      h1.publishCatalog(fx.catalog());
      h1Vip = h1.syncServiceVips(PerHostFixture.H1).get(0).address();
    }
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void printsTheHostsDesiredStateInTheDocumentedShape() throws Exception {
    Cli.Result r = Cli.run("lb-state", "--state-dir", dir.toString(), "--node-id", "h1");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode o = JSON.readTree(r.out());
    assertThat(o.fieldNames()).toIterable().containsExactly("host", "vips", "placeholders");
    assertThat(o.path("host").asText()).isEqualTo("h1");
    assertThat(o.path("vips")).hasSize(2);
    for (JsonNode v : o.path("vips")) {
      assertThat(v.fieldNames())
          .toIterable()
          .containsExactly(
              "pool", "serviceId", "serviceName", "frontend", "hostVip", "ports", "backends");
      assertThat(v.path("pool").asText()).isEqualTo("10.91.0.0/24");
      assertThat(v.path("serviceId").asText()).isEqualTo("sweb");
      assertThat(v.path("serviceName").asText()).isEqualTo("web");
      assertThat(v.path("frontend").asText())
          .isEqualTo((v.path("hostVip").asBoolean() ? h1Vip : fx.vip).toString());
      assertThat(texts(v.path("ports"))).containsExactly("80/tcp");
      assertThat(texts(v.path("backends")))
          .containsExactlyInAnyOrder(fx.a1.toString(), fx.a2.toString());
    }
    assertThat(o.path("vips").findValuesAsText("hostVip"))
        .containsExactlyInAnyOrder("true", "false");
    assertThat(o.path("placeholders")).hasSize(2);
    for (JsonNode p : o.path("placeholders")) {
      assertThat(p.fieldNames())
          .toIterable()
          .containsExactly("pool", "placeholder", "host", "actual", "serviceId", "ports");
      boolean first = p.path("placeholder").asText().equals(fx.t1.toString());
      assertThat(p.path("host").asText()).isEqualTo(first ? "h1" : "h2");
      assertThat(p.path("actual").asText()).isEqualTo((first ? fx.a1 : fx.a2).toString());
      assertThat(texts(p.path("ports"))).containsExactly("80/tcp");
    }
  }

  @Test
  void aHostWithoutTheNetworkHasAnEmptyPlan() throws Exception {
    Cli.Result r = Cli.run("lb-state", "--state-dir", dir.toString(), "--node-id", "h9");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("{\"host\":\"h9\",\"vips\":[],\"placeholders\":[]}\n");
  }

  @Test
  void catalogPrintsThePublishedServicesAndTheMappings() throws Exception {
    Cli.Result r = Cli.run("lb-state", "--state-dir", dir.toString(), "--catalog");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode o = JSON.readTree(r.out());
    assertThat(o.fieldNames()).toIterable().containsExactly("pools", "mappings", "published");
    assertThat(o.path("published")).as("no node publishes tasks in this fixture").isEmpty();
    JsonNode pool = o.path("pools").get(0);
    assertThat(o.path("pools")).hasSize(1);
    assertThat(pool.path("pool").asText()).isEqualTo("10.91.0.0/24");
    JsonNode web = pool.path("services").get(0);
    assertThat(web.path("serviceId").asText()).isEqualTo("sweb");
    assertThat(web.path("name").asText()).isEqualTo("web");
    assertThat(web.path("vip").asText()).isEqualTo(fx.vip.toString());
    assertThat(texts(web.path("ports"))).containsExactly("80/tcp");
    assertThat(web.path("tasks").findValuesAsText("taskId")).containsExactly("tweb1", "tweb2");
    assertThat(web.path("tasks").findValuesAsText("placeholder"))
        .containsExactly(fx.t1.toString(), fx.t2.toString());
    assertThat(o.path("mappings")).hasSize(2);
    assertThat(o.path("mappings").findValuesAsText("host")).containsExactly("h1", "h2");
    assertThat(o.path("mappings").findValuesAsText("actual"))
        .containsExactly(fx.a1.toString(), fx.a2.toString());
    assertThat(o.path("mappings").get(0).fieldNames())
        .toIterable()
        .containsExactly("pool", "placeholder", "host", "actual");
  }
}
