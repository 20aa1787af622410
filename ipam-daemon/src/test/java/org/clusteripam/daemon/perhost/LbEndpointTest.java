package org.clusteripam.daemon.perhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.HostAddressing;
import org.clusteripam.core.store.InMemoryStateStore;
import org.junit.jupiter.api.Test;

/** /v1/lb: the loop's last plan, another host's plan computed now, the catalog. */
class LbEndpointTest {
  final InMemoryStateStore store = new InMemoryStateStore();
  final PerHostFixture fx = new PerHostFixture(store);
  final IpamEngine opened = IpamEngine.open(store, IpamConfig.defaults(), Clock.systemUTC());
  final HostAddressing engine = opened.perHost();

  @Test
  void answersFromTheLoopAndTheStore() {
    try (PerHostLoop loop =
        new PerHostLoop(
            engine,
            PerHostFixture.H1,
            known -> new CatalogRead.Catalog(fx.catalog(), List.of()),
            LbApplier.none(),
            Duration.ofMinutes(1),
            new PerHostMetrics(new SimpleMeterRegistry()),
            Clock.systemUTC())) {
      LbEndpoint endpoint = new LbEndpoint(opened.queries(), loop);
      assertThatThrownBy(() -> endpoint.answer(null)).hasMessageContaining("not completed a pass");

      loop.pass();
      assertThat(endpoint.answer(""))
          .isEqualTo(LbStateJson.desiredState(loop.last().orElseThrow().state()))
          .contains("\"host\":\"h1\"", "\"hostVip\":true", "\"frontend\":\"" + fx.vip + "\"");
      assertThat(endpoint.answer("node=h2"))
          .isEqualTo(LbStateJson.desiredState(engine.lbDesiredState(PerHostFixture.H2)))
          .startsWith("{\"host\":\"h2\"");
      assertThat(endpoint.answer("catalog"))
          .isEqualTo(LbStateJson.catalog(opened.queries().snapshot()))
          .contains("\"serviceId\":\"sweb\"", "\"actual\":\"" + fx.a2 + "\"");
      assertThatThrownBy(() -> endpoint.answer("nodes"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("/v1/lb?node=HOST");
    }
  }
}
