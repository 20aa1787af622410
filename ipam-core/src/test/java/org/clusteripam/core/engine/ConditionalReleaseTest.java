package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.clusteripam.core.engine.ClusterIpamTest.H1;
import static org.clusteripam.core.engine.ClusterIpamTest.H2;
import static org.clusteripam.core.engine.ClusterIpamTest.a;
import static org.clusteripam.core.engine.ClusterIpamTest.exact;
import static org.clusteripam.core.engine.ClusterIpamTest.local;

import java.time.Duration;
import java.time.Instant;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

/** Reconciliation's release: only the allocation that was judged leaked is freed. */
class ConditionalReleaseTest {
  final InMemoryStateStore store = new InMemoryStateStore();
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  final ClusterIpam ipam = new ClusterIpam(store, IpamConfig.defaults(), clock);

  @Test
  void anAddressReallocatedBetweenJudgementAndReleaseIsNotFreed() {
    PoolGrant g = ipam.requestPool(local(H1, "10.5.0.0/24"));
    ipam.requestAddress(exact(H1, g.id(), "10.5.0.50"));
    long judged = clock.millis(); // reconciliation sees 10.5.0.50 leaked, allocated at this time
    clock.advance(Duration.ofSeconds(3));
    ipam.releaseAddress(H1, g.id(), a("10.5.0.50")); // meanwhile: freed by Docker ...
    clock.advance(Duration.ofSeconds(1));
    ipam.requestAddress(exact(H1, g.id(), "10.5.0.50")); // ... and handed out to a new container
    long rev = store.revision();
    assertThat(ipam.releaseAddressIfUnchanged(H1, g.id(), a("10.5.0.50"), judged)).isFalse();
    assertThat(store.revision()).isEqualTo(rev);
    assertThat(ipam.queries().snapshot().allPools().get(0).blocks().get(0).addresses())
        .extracting(v -> v.address())
        .contains(a("10.5.0.50"));
  }

  @Test
  void theJudgedAllocationIsFreedOnceAndOnlyForItsHolder() {
    PoolGrant g = ipam.requestPool(local(H1, "10.5.0.0/24"));
    ipam.requestPool(local(H2, "10.5.0.0/24"));
    ipam.requestAddress(exact(H1, g.id(), "10.5.0.50"));
    long since = clock.millis();
    clock.advance(Duration.ofMinutes(1));
    assertThat(ipam.releaseAddressIfUnchanged(H2, g.id(), a("10.5.0.50"), since))
        .as("not h2's")
        .isFalse();
    assertThat(ipam.releaseAddressIfUnchanged(H1, g.id(), a("10.5.0.50"), since)).isTrue();
    assertThat(ipam.releaseAddressIfUnchanged(H1, g.id(), a("10.5.0.50"), since))
        .as("already free")
        .isFalse();
    assertThat(ipam.releaseAddressIfUnchanged(H1, g.id(), a("10.9.0.1"), since))
        .as("outside the pool")
        .isFalse();
    assertThat(ipam.requestAddress(exact(H2, g.id(), "10.5.0.50")).address())
        .isEqualTo(a("10.5.0.50"));
  }
}
