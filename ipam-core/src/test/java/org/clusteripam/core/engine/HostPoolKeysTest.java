package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.HostRecord;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.store.Versioned;
import org.junit.jupiter.api.Test;

/**
 * {@code hosts/<holder>/<pool>}: one key per held pool, so a creation costs the same however many
 * pools the host holds.
 */
class HostPoolKeysTest {
  static final HostId H1 = new HostId("h1");
  final InMemoryStateStore mem = new InMemoryStateStore();
  final ClusterIpam ipam =
      new ClusterIpam(
          mem,
          IpamConfig.defaults(),
          Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));

  static PoolRequest dynamic() {
    return new PoolRequest(
        H1, "ClusterIpamLocal", Optional.empty(), Optional.empty(), Map.of(), false);
  }

  /** Bytes (key + value) of the values a call created or changed. */
  long bytesWrittenBy(Runnable r) {
    TreeMap<String, Versioned> before = new TreeMap<>(mem.list(""));
    r.run();
    long n = 0;
    for (var e : mem.list("").entrySet()) {
      Versioned was = before.get(e.getKey());
      if (was == null || was.modRevision() != e.getValue().modRevision()) {
        n += e.getKey().length() + e.getValue().value().length;
      }
    }
    return n;
  }

  java.util.SortedSet<IpPrefix> hostPools() {
    return mem.transact(
        "read", v -> new StateView(v, new DecodeCache()).hostPools(Holder.of("h1")));
  }

  @Test
  void creatingPoolNumber300CostsWhatPoolNumber10Costs() {
    long[] bytes = new long[301];
    for (int i = 1; i <= 300; i++) {
      bytes[i] = bytesWrittenBy(() -> ipam.requestPool(dynamic()));
    }
    // Only the digits of the pool's prefix and of the carve counters may differ.
    assertThat(bytes[300]).isBetween(bytes[10] - 8, bytes[10] + 8);
    assertThat(mem.peek(Keys.host(Holder.of("h1")))).isEmpty();
    assertThat(mem.list(Keys.hostPoolsOf(Holder.of("h1")))).hasSize(300);
  }

  @Test
  void aRecordOfEveryPoolFromAnEarlierBuildIsReadAndOnlyShrinks() {
    PoolGrant a = ipam.requestPool(dynamic());
    PoolGrant b = ipam.requestPool(dynamic());
    IpPrefix pa = a.pool();
    IpPrefix pb = b.pool();
    // As the previous build wrote it: one record listing both pools, no per-pool keys.
    mem.transact(
        "legacy",
        v -> {
          v.delete(Keys.hostPool(Holder.of("h1"), pa));
          v.delete(Keys.hostPool(Holder.of("h1"), pb));
          v.put(
              Keys.host(Holder.of("h1")),
              StateCodec.encode(new HostRecord(Holder.of("h1"), new TreeSet<>(List.of(pa, pb)))));
          return null;
        });
    assertThat(hostPools()).containsExactly(pa, pb);
    PoolGrant c = ipam.requestPool(dynamic());
    assertThat(hostPools()).containsExactly(pa, pb, c.pool());
    assertThat(
            StateCodec.decodeHost("k", mem.peek(Keys.host(Holder.of("h1"))).orElseThrow().value())
                .pools())
        .containsExactly(pa, pb);
    ipam.releasePool(H1, a.id());
    assertThat(
            StateCodec.decodeHost("k", mem.peek(Keys.host(Holder.of("h1"))).orElseThrow().value())
                .pools())
        .containsExactly(pb);
    assertThat(ipam.releaseEmptyBlocks(H1)).isEmpty(); // reads both kinds without failing
    ipam.releasePool(H1, b.id());
    ipam.releasePool(H1, c.id());
    assertThat(mem.list("hosts/")).isEmpty();
  }
}
