package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.store.ForwardingStateStore;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.store.StoreConflictException;
import org.clusteripam.core.store.Txn;
import org.junit.jupiter.api.Test;

/**
 * A release whose leave commits but whose deletion fails (conflicts in a storm, etcd unreachable)
 * leaves the pool held by the leaver, not marked with nobody holding it; a retry deletes it.
 */
class FailedDeletionTest {
  static final HostId H1 = new HostId("h1");

  @Test
  void aFailedDeletionLeavesThePoolHeldByItsLeaverAndARetryDeletesIt() {
    InMemoryStateStore mem = new InMemoryStateStore();
    boolean[] failDeletion = {true};
    ForwardingStateStore flaky =
        new ForwardingStateStore(mem) {
          @Override
          public <R> R transact(String name, Txn<R> txn) {
            if (failDeletion[0] && name.equals("deletePool")) {
              throw new StoreConflictException("deletePool kept conflicting (injected)");
            }
            return super.transact(name, txn);
          }
        };
    ClusterIpam e =
        new ClusterIpam(
            flaky,
            IpamConfig.defaults(),
            Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC));
    PoolGrant g =
        e.requestPool(
            new PoolRequest(
                H1, "ClusterIpamLocal", Optional.empty(), Optional.empty(), Map.of(), false));

    assertThatThrownBy(() -> e.releasePool(H1, g.id()))
        .isInstanceOf(StoreConflictException.class)
        .hasMessageContaining("injected");
    assertThat(mem.peek(Keys.holder(g.pool(), Holder.of("h1"))))
        .as("held again by its leaver")
        .isPresent();
    assertThat(mem.peek(Keys.hostPool(Holder.of("h1"), g.pool()))).isPresent();
    assertThat(
            StateCodec.decodePool(
                    Keys.pool(g.pool()), mem.peek(Keys.pool(g.pool())).orElseThrow().value())
                .deleting())
        .as("no deletion mark left")
        .isFalse();

    failDeletion[0] = false;
    e.releasePool(H1, g.id());
    assertThat(mem.list("").keySet()).as("the retry deleted it").containsOnly(Keys.CONFIG);
  }
}
