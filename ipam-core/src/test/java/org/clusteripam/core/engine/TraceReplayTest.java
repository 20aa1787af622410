package org.clusteripam.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.testing.DockerTrace;
import org.clusteripam.core.testing.RerunningStateStore;
import org.clusteripam.core.testing.TraceReplay;
import org.junit.jupiter.api.Test;

/** Every call of both recorded dockerd traces, in order, through ClusterIpam on an in-memory store. */
class TraceReplayTest {
  private static final HostId DOCKERD = new HostId("dockerd-1");

  @Test
  void legacyPluginLocalNetworks() {
    replayAndCompare(DockerTrace.V1_LOCAL);
  }

  @Test
  void managedPluginSingleNodeSwarm() {
    replayAndCompare(DockerTrace.V2_SWARM);
  }

  /** Every transaction run twice (as after an optimistic conflict) gives the same answers. */
  @Test
  void bothTracesWithEveryTransactionRunTwice() {
    for (String trace : List.of(DockerTrace.V1_LOCAL, DockerTrace.V2_SWARM)) {
      InMemoryStateStore mem = new InMemoryStateStore();
      RerunningStateStore rerunning = new RerunningStateStore(mem);
      replayAndCompare(trace, mem, rerunning);
      assertThat(rerunning.reruns()).isGreaterThan(40);
    }
  }

  private void replayAndCompare(String trace) {
    InMemoryStateStore store = new InMemoryStateStore();
    replayAndCompare(trace, store, store);
  }

  private void replayAndCompare(String trace, InMemoryStateStore store, org.clusteripam.core.store.StateStore engineStore) {
    ClusterIpam ipam = new ClusterIpam(engineStore, IpamConfig.defaults(), DOCKERD, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
    TraceReplay replay = new TraceReplay(ipam, DOCKERD, "ProbeLocal", "ProbeGlobal");
    List<DockerTrace.Call> calls = DockerTrace.load(trace);
    assertThat(calls).isNotEmpty();
    replay.replay(calls);
    if (Boolean.getBoolean("trace.log")) {
      replay.log().forEach(System.out::println);
    }

    // The store holds exactly what the model says is still held: nothing leaked, nothing lost.
    Map<IpPrefix, Map<IpAddress, Set<String>>> stored = new TreeMap<>();
    Map<IpPrefix, Set<String>> storedHolders = new TreeMap<>();
    for (IpamQueries.PoolView p : ipam.queries().snapshot().allPools()) {
      storedHolders.put(p.prefix(), spaces(p.holders()));
      Map<IpAddress, Set<String>> m = new TreeMap<>();
      p.blocks().forEach(b -> b.addresses().forEach(a -> m.put(a.address(), spaces(a.holders()))));
      if (!m.isEmpty()) {
        stored.put(p.prefix(), m);
      }
    }
    Map<IpPrefix, Map<IpAddress, Set<String>>> expected = new TreeMap<>();
    replay.held().forEach((p, m) -> {
      if (!m.isEmpty()) {
        expected.put(p, m);
      }
    });
    assertThat(storedHolders).isEqualTo(replay.poolHolders());
    assertThat(stored).isEqualTo(expected);
    // Released networks left no keys behind.
    for (String key : store.list("").keySet()) {
      if (key.startsWith(Keys.BLOCKS) || key.startsWith(Keys.POOLS) || key.startsWith(Keys.HOLDERS) || key.startsWith(Keys.AFFINITY)) {
        assertThat(replay.poolHolders().keySet().stream().anyMatch(p -> key.contains(Keys.segment(p))))
            .as("key %s belongs to a pool still held", key).isTrue();
      }
    }
  }

  private static Set<String> spaces(Set<String> holders) {
    Set<String> out = new TreeSet<>();
    for (String h : holders) {
      out.add(h.equals(AddressingMode.GLOBAL_HOLDER) ? "global" : h.equals(DOCKERD.value()) ? "local" : "?" + h);
    }
    return out;
  }
}
