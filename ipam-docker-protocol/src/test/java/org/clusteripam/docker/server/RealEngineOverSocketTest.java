package org.clusteripam.docker.server;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.docker.client.UnixHttpClient;
import org.clusteripam.docker.testing.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server with the real engine behind it: concurrency and the engine's refusals as Docker sees
 * them.
 */
class RealEngineOverSocketTest {
  @TempDir Path dir;

  private final InMemoryStateStore store = new InMemoryStateStore();
  private final IpamEngine ipam = IpamEngine.open(store, IpamConfig.defaults(), Clock.systemUTC());

  private static String poolId(UnixHttpClient c, String pool) throws Exception {
    JsonObject o =
        Json.object(
            c.post(
                    "/IpamDriver.RequestPool",
                    "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\""
                        + pool
                        + "\",\"SubPool\":\"\",\"Options\":{},\"V6\":false}")
                .body());
    assertThat(o.containsKey("Error")).as(o.toString()).isFalse();
    return o.getString("PoolID");
  }

  @Test
  void concurrentClientsNeverGetTheSameAddress() throws Exception {
    int clients = 12;
    int each = 25;
    try (PluginServer server =
            PluginServer.start(dir.resolve("c.sock"), ipam.driver(), new HostId("node-1"));
        UnixHttpClient admin = UnixHttpClient.connect(server.socketPath())) {
      String pool = poolId(admin, "10.60.0.0/22");
      ExecutorService threads = Executors.newFixedThreadPool(clients);
      try {
        List<Future<List<String>>> results = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
          results.add(
              threads.submit(
                  () -> {
                    List<String> got = new ArrayList<>();
                    try (UnixHttpClient c = UnixHttpClient.connect(server.socketPath())) {
                      for (int k = 0; k < each; k++) {
                        String body =
                            c.post(
                                    "/IpamDriver.RequestAddress",
                                    "{\"PoolID\":\""
                                        + pool
                                        + "\",\"Address\":\"\",\"Options\":null}")
                                .body();
                        assertThat(Json.error(body)).as(body).isNull();
                        got.add(Json.object(body).getString("Address"));
                      }
                    }
                    return got;
                  }));
        }
        Set<String> all = new HashSet<>();
        for (Future<List<String>> f : results) {
          for (String a : f.get(60, TimeUnit.SECONDS)) {
            assertThat(all.add(a)).as(a + " handed out twice").isTrue();
            assertThat(a).startsWith("10.60.").endsWith("/22");
          }
        }
        assertThat(all).hasSize(clients * each);
        for (String a : all) {
          assertThat(
                  admin
                      .post(
                          "/IpamDriver.ReleaseAddress",
                          "{\"PoolID\":\""
                              + pool
                              + "\",\"Address\":\""
                              + a.substring(0, a.indexOf('/'))
                              + "\"}")
                      .body())
              .isEqualTo("{}");
        }
        assertThat(admin.post("/IpamDriver.ReleasePool", "{\"PoolID\":\"" + pool + "\"}").body())
            .isEqualTo("{}");
        assertThat(ipam.queries().snapshot().allPools())
            .allMatch(p -> p.holders().isEmpty() && p.used() == 0);
      } finally {
        threads.shutdownNow();
      }
    }
  }

  @Test
  void engineRefusalsReachDockerVerbatimAndChangeNothing() throws Exception {
    try (PluginServer server =
            PluginServer.start(dir.resolve("e.sock"), ipam.driver(), new HostId("node-1"));
        UnixHttpClient c = UnixHttpClient.connect(server.socketPath())) {
      String pool = poolId(c, "10.66.0.0/29");
      String error = null;
      for (int i = 0; i < 10 && error == null; i++) {
        error =
            Json.error(
                c.post(
                        "/IpamDriver.RequestAddress",
                        "{\"PoolID\":\"" + pool + "\",\"Address\":\"\",\"Options\":null}")
                    .body());
      }
      assertThat(error)
          .as("a /29 runs out within 10 requests")
          .isNotNull()
          .contains("10.66.0.0/29");
      long revision = store.revision();
      String again =
          Json.error(
              c.post(
                      "/IpamDriver.RequestAddress",
                      "{\"PoolID\":\"" + pool + "\",\"Address\":\"\",\"Options\":null}")
                  .body());
      assertThat(again).isEqualTo(error);
      String outside =
          Json.error(
              c.post(
                      "/IpamDriver.RequestAddress",
                      "{\"PoolID\":\"" + pool + "\",\"Address\":\"10.67.0.1\",\"Options\":null}")
                  .body());
      assertThat(outside).contains("10.67.0.1");
      String unknown =
          Json.error(
              c.post(
                      "/IpamDriver.RequestAddress",
                      "{\"PoolID\":\"no-such-pool\",\"Address\":\"\",\"Options\":null}")
                  .body());
      assertThat(unknown).contains("no-such-pool");
      String space =
          Json.error(
              c.post(
                      "/IpamDriver.RequestPool",
                      "{\"AddressSpace\":\"NoSuchSpace\",\"Pool\":\"10.68.0.0/24\"}")
                  .body());
      assertThat(space).contains("NoSuchSpace");
      assertThat(store.revision()).as("refusals wrote nothing").isEqualTo(revision);
    }
  }
}
