package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.store.InMemoryStateStore;
import org.junit.jupiter.api.Test;

/**
 * The read model (show, check, metrics, reconciliation) sees a block stored chunked whole, its
 * chunks never as blocks.
 */
class ChunkedBlockSnapshotTest {
  @Test
  void aChunkedBlockIsReadWithItsChunks() {
    InMemoryStateStore store = new InMemoryStateStore();
    IpamEngine e = IpamEngine.open(store, IpamConfig.defaults(), Clock.systemUTC());
    HostId h = new HostId("h1");
    IpPrefix subnet = IpPrefix.parse("fd00:88::/64");
    PoolId pool =
        e.driver()
            .requestPool(
                new PoolRequest(
                    h,
                    e.driver().addressSpaces().local(),
                    Optional.of(subnet),
                    Optional.empty(),
                    Map.of(),
                    false))
            .id();
    TreeSet<IpAddress> got = new TreeSet<>();
    for (int i = 0; i < 300; i++) {
      got.add(
          e.driver()
              .requestAddress(
                  new AddressRequest(h, pool, Optional.empty(), AddressKind.ENDPOINT, Map.of()))
              .address());
    }
    IpPrefix block = IpPrefix.containing(got.first(), 112);
    assertThat(store.list(Keys.block(subnet, block) + "/")).as("stored as chunks").hasSize(3);
    IpamQueries.Snapshot s = e.queries().snapshot();
    List<IpamQueries.BlockView> blocks =
        s.allPools().stream().flatMap(p -> p.blocks().stream()).toList();
    assertThat(blocks).hasSize(1);
    assertThat(blocks.get(0).addresses().stream().map(IpamQueries.AddressView::address).toList())
        .containsExactlyElementsOf(got);
    long chunkRev =
        store.list(Keys.block(subnet, block) + "/").values().stream()
            .mapToLong(v -> v.modRevision())
            .max()
            .orElseThrow();
    assertThat(blocks.get(0).modRevision()).isGreaterThanOrEqualTo(chunkRev);
    assertThat(e.queries().storeView(s, s.revision(), h).addresses()).hasSize(300);
  }
}
