package org.clusteripam.docker.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.testing.RerunningStateStore;
import org.clusteripam.docker.client.UnixHttpClient;
import org.clusteripam.docker.client.UnixHttpClient.HostHeader;
import org.clusteripam.docker.server.PluginServer;
import org.clusteripam.testkit.trace.DockerTrace;
import org.clusteripam.testkit.trace.StoreInspector;
import org.clusteripam.testkit.trace.TraceReplayer;
import org.clusteripam.testkit.trace.TraceReplayer.Space;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every call of the recorded dockerd traces, in order, through the HTTP server backed by the real
 * engine on an in-memory store: one server and host id per dockerd (each trace was recorded on one
 * dockerd; in the swarm trace that dockerd is both the manager, global space, and the node, local
 * space).
 */
class TraceReplayTest {
  private static final Clock EPOCH = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);

  @TempDir Path dir;

  private record Dockerd(
      IpamEngine ipam, PluginServer server, UnixHttpClient client, TraceReplayer replayer)
      implements AutoCloseable {
    @Override
    public void close() {
      client.close();
      server.close();
    }
  }

  private Dockerd dockerd(StateStore store, String host, List<DockerTrace.Call> trace, Clock clock)
      throws IOException {
    IpamEngine ipam = IpamEngine.open(store, IpamConfig.defaults(), clock);
    PluginServer server =
        PluginServer.start(dir.resolve(host + ".sock"), ipam.driver(), new HostId(host));
    UnixHttpClient client = UnixHttpClient.connect(server.socketPath(), hostHeader(trace.get(0)));
    TraceReplayer.Driver driver =
        (path, body) -> {
          UnixHttpClient.Response r = client.post(path, body);
          return new TraceReplayer.Answer(r.status(), r.body());
        };
    return new Dockerd(
        ipam,
        server,
        client,
        new TraceReplayer(
            host, driver, ipam.driver().addressSpaces(), new StoreInspector(ipam.queries())));
  }

  private static HostHeader hostHeader(DockerTrace.Call first) {
    return first
        .hostHeader()
        .map(h -> h.isEmpty() ? HostHeader.EMPTY : HostHeader.MOBY)
        .orElse(HostHeader.ABSENT);
  }

  private void replayAlone(String file, int expectedCalls, int expectedSkipped) throws IOException {
    List<DockerTrace.Call> trace = DockerTrace.load(file);
    assertThat(trace).hasSize(expectedCalls);
    InMemoryStateStore store = new InMemoryStateStore();
    StoreInspector inspector = new StoreInspector(new IpamQueries(store, IpamConfig.defaults()));
    try (Dockerd d = dockerd(store, "dockerd-1", trace, Clock.systemUTC())) {
      d.replayer().replayAll(trace);
      assertThat(d.replayer().skipped()).isEqualTo(expectedSkipped);
      d.replayer().tearDown();
      assertThat(d.replayer().poolLivesEnded()).isPositive();
    }
    assertThat(inspector.allLeftovers()).isEmpty();
  }

  @Test
  void legacyPluginLocalNetworks() throws IOException {
    replayAlone(DockerTrace.V1_LOCAL, 106, 4);
  }

  @Test
  void managedPluginSwarmOverlay() throws IOException {
    replayAlone(DockerTrace.V2_SWARM, 97, 0);
  }

  @Test
  void emptyHostHeaderOfDockerd20_10_24() throws IOException {
    replayAlone(DockerTrace.HOST_HEADER, 7, 0);
  }

  /** Two dockerds on one cluster store, their calls interleaved: each keeps its own view valid. */
  @Test
  void bothTracesInterleavedOnOneStore() throws IOException {
    List<DockerTrace.Call> v1 = DockerTrace.load(DockerTrace.V1_LOCAL);
    List<DockerTrace.Call> v2 = DockerTrace.load(DockerTrace.V2_SWARM);
    InMemoryStateStore store = new InMemoryStateStore();
    StoreInspector inspector = new StoreInspector(new IpamQueries(store, IpamConfig.defaults()));
    try (Dockerd a = dockerd(store, "host-a", v1, Clock.systemUTC());
        Dockerd b = dockerd(store, "host-b", v2, Clock.systemUTC())) {
      for (int i = 0; i < Math.max(v1.size(), v2.size()); i++) {
        if (i < v1.size()) {
          a.replayer().replay(v1.get(i));
        }
        if (i < v2.size()) {
          b.replayer().replay(v2.get(i));
        }
      }
      a.replayer().tearDown();
      b.replayer().tearDown();
    }
    assertThat(inspector.allLeftovers()).isEmpty();
  }

  @Test
  void legacyPluginLocalNetworksLeaveTheStoreAsTheModelSays() throws IOException {
    InMemoryStateStore store = new InMemoryStateStore();
    replayAndCompare(DockerTrace.V1_LOCAL, store, store);
  }

  @Test
  void managedPluginSingleNodeSwarmLeavesTheStoreAsTheModelSays() throws IOException {
    InMemoryStateStore store = new InMemoryStateStore();
    replayAndCompare(DockerTrace.V2_SWARM, store, store);
  }

  /** Every transaction run twice (as after an optimistic conflict) gives the same answers. */
  @Test
  void bothTracesWithEveryTransactionRunTwice() throws IOException {
    for (String trace : List.of(DockerTrace.V1_LOCAL, DockerTrace.V2_SWARM)) {
      InMemoryStateStore mem = new InMemoryStateStore();
      RerunningStateStore rerunning = new RerunningStateStore(mem);
      replayAndCompare(trace, mem, rerunning);
      assertThat(rerunning.reruns()).isGreaterThan(40);
    }
  }

  /**
   * Replays without tearing down, then the store must hold exactly what the model says: nothing
   * leaked, nothing lost.
   */
  private void replayAndCompare(String trace, InMemoryStateStore store, StateStore engineStore)
      throws IOException {
    List<DockerTrace.Call> calls = DockerTrace.load(trace);
    assertThat(calls).isNotEmpty();
    try (Dockerd d = dockerd(engineStore, "dockerd-1", calls, EPOCH)) {
      TraceReplayer replay = d.replayer();
      replay.replayAll(calls);
      Map<IpPrefix, Map<IpAddress, Set<Space>>> stored = new TreeMap<>();
      Map<IpPrefix, Set<Space>> storedHolders = new TreeMap<>();
      for (IpamQueries.PoolView p : d.ipam().queries().snapshot().allPools()) {
        storedHolders.put(p.prefix(), spaces(p.holders()));
        Map<IpAddress, Set<Space>> m = new TreeMap<>();
        p.blocks()
            .forEach(b -> b.addresses().forEach(a -> m.put(a.address(), spaces(a.holders()))));
        if (!m.isEmpty()) {
          stored.put(p.prefix(), m);
        }
      }
      assertThat(storedHolders).isEqualTo(replay.poolHolders());
      assertThat(stored).isEqualTo(replay.held());
      // Released networks left no keys behind.
      for (String key : store.list("").keySet()) {
        if (key.startsWith(Keys.BLOCKS)
            || key.startsWith(Keys.POOLS)
            || key.startsWith(Keys.HOLDERS)
            || key.startsWith(Keys.AFFINITY)) {
          assertThat(
                  replay.poolHolders().keySet().stream()
                      .anyMatch(p -> key.contains(Keys.segment(p))))
              .as("key %s belongs to a pool still held", key)
              .isTrue();
        }
      }
    }
  }

  /** The engine's holders of one dockerd as address spaces: swarm's global holder, or this host. */
  private static Set<Space> spaces(Set<Holder> holders) {
    Set<Space> out = new TreeSet<>();
    for (Holder h : holders) {
      if (h.equals(Holder.GLOBAL)) {
        out.add(Space.GLOBAL);
      } else {
        assertThat(h.format()).as("holder").isEqualTo("dockerd-1");
        out.add(Space.LOCAL);
      }
    }
    return out;
  }
}
