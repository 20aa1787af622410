package org.clusteripam.docker.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.clusteripam.core.engine.ClusterIpam;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.docker.server.PluginServer;
import org.clusteripam.docker.testing.UnixHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every call of the recorded dockerd traces, in order, through the HTTP server backed by the real
 * engine on an in-memory store: one server and host id per dockerd (each trace was recorded on one
 * dockerd; in the swarm trace that dockerd is both the manager, global space, and the node, local
 * space).
 */
class TraceReplayTest {
  @TempDir Path dir;

  private record Dockerd(PluginServer server, UnixHttpClient client, TraceReplayer replayer) implements AutoCloseable {
    @Override
    public void close() {
      client.close();
      server.close();
    }
  }

  private Dockerd dockerd(InMemoryStateStore store, String host, List<TraceCall> trace) throws IOException {
    ClusterIpam ipam = new ClusterIpam(store, IpamConfig.defaults(), new HostId(host), Clock.systemUTC());
    PluginServer server = PluginServer.start(dir.resolve(host + ".sock"), ipam, ipam.node());
    UnixHttpClient client = UnixHttpClient.connect(server.socketPath(), trace.get(0).host());
    return new Dockerd(server, client, new TraceReplayer(host, client, ipam.addressSpaces(), new StoreInspector(ipam.queries())));
  }

  private void replayAlone(String file, int expectedCalls, int expectedSkipped) throws IOException {
    List<TraceCall> trace = TraceCall.load(file);
    assertThat(trace).hasSize(expectedCalls);
    InMemoryStateStore store = new InMemoryStateStore();
    StoreInspector inspector = new StoreInspector(new IpamQueries(store, IpamConfig.defaults()));
    try (Dockerd d = dockerd(store, "dockerd-1", trace)) {
      for (TraceCall call : trace) {
        d.replayer().replay(call);
      }
      assertThat(d.replayer().skipped()).isEqualTo(expectedSkipped);
      d.replayer().tearDown();
      assertThat(d.replayer().poolLivesEnded()).isPositive();
    }
    assertThat(inspector.allLeftovers()).isEmpty();
  }

  @Test
  void legacyPluginLocalNetworks() throws IOException {
    replayAlone("trace-v1-local.jsonl", 106, 4);
  }

  @Test
  void managedPluginSwarmOverlay() throws IOException {
    replayAlone("trace-v2-swarm.jsonl", 97, 0);
  }

  @Test
  void emptyHostHeaderOfDockerd20_10_24() throws IOException {
    replayAlone("trace-host-header.jsonl", 7, 0);
  }

  /** Two dockerds on one cluster store, their calls interleaved: each keeps its own view valid. */
  @Test
  void bothTracesInterleavedOnOneStore() throws IOException {
    List<TraceCall> v1 = TraceCall.load("trace-v1-local.jsonl");
    List<TraceCall> v2 = TraceCall.load("trace-v2-swarm.jsonl");
    InMemoryStateStore store = new InMemoryStateStore();
    StoreInspector inspector = new StoreInspector(new IpamQueries(store, IpamConfig.defaults()));
    try (Dockerd a = dockerd(store, "host-a", v1); Dockerd b = dockerd(store, "host-b", v2)) {
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
}
