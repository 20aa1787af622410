package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.store.ForwardingStateStore;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.store.Txn;
import org.clusteripam.core.store.TxnView;
import org.clusteripam.core.testing.ForwardingTxnView;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two hosts request the same explicit subnet at once and the second one's reads straddle the first
 * one's creation: the etcd store's cache applies a peer's commit key by key, so a transaction may
 * read the pool's record from before it (absent) and the guard that records the pool ({@code
 * carve/<family>} and the pool listing outside the supernet, a carving range inside it) from after
 * it. That is a join of the pool just created, never "overlaps existing pool".
 */
class SameSubnetCreationRaceTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);

  /** A store whose next transaction reads {@code torn} as absent once, the rest as it is. */
  static final class TornStore extends ForwardingStateStore {
    String torn;
    int tornReads;

    TornStore(InMemoryStateStore mem) {
      super(mem);
    }

    @Override
    public <R> R transact(String name, Txn<R> txn) {
      return super.transact(name, v -> txn.run(new TornView(v)));
    }

    final class TornView extends ForwardingTxnView {
      TornView(TxnView v) {
        super(v);
      }

      @Override
      public Optional<byte[]> get(String key) {
        Optional<byte[]> real = super.get(key);
        if (key.equals(torn)) {
          torn = null;
          tornReads++;
          return Optional.empty();
        }
        return real;
      }
    }
  }

  static PoolRequest request(String host, IpPrefix pool) {
    return new PoolRequest(
        new HostId(host), "ClusterIpamLocal", Optional.of(pool), Optional.empty(), Map.of(), false);
  }

  @ParameterizedTest
  @ValueSource(strings = {"172.16.0.0/16", "10.80.12.0/24", "10.80.8.0/22"})
  void aJoinWhoseReadsStraddleThePeersCreationJoinsIt(String subnet) {
    IpPrefix pool = IpPrefix.parse(subnet);
    InMemoryStateStore mem = new InMemoryStateStore();
    TornStore torn = new TornStore(mem);
    ClusterIpam h1 = new ClusterIpam(mem, IpamConfig.defaults(), CLOCK);
    ClusterIpam h2 = new ClusterIpam(torn, IpamConfig.defaults(), CLOCK);

    PoolGrant created = h1.requestPool(request("h1", pool));
    torn.torn = Keys.pool(pool);
    PoolGrant joined = h2.requestPool(request("h2", pool));

    assertThat(torn.tornReads).as("the record was read from before the creation").isEqualTo(1);
    assertThat(joined.pool()).isEqualTo(pool);
    assertThat(joined.id()).isEqualTo(created.id());
    assertThat(mem.list(Keys.holdersOf(pool)).keySet())
        .containsExactlyInAnyOrder(
            Keys.holder(pool, Holder.of("h1")), Keys.holder(pool, Holder.of("h2")));
  }
}
