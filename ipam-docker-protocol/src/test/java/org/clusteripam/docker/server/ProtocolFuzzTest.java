package org.clusteripam.docker.server;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.docker.client.UnixHttpClient;
import org.clusteripam.testkit.trace.DockerTrace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of random and mutated request bodies (from the recorded traces) on every endpoint, over
 * the socket, against the real engine: the server always answers HTTP 200 with a body Docker can
 * decode (a success shape or {@code {"Error": ...}}), keeps the connection, and a refused request
 * leaves the store's revision unchanged.
 */
class ProtocolFuzzTest {
  private static final long SEED = Long.getLong("fuzz.seed", 20261123L);
  private static final int ROUNDS = Integer.getInteger("fuzz.rounds", 5000);
  private static final String[] PATHS = {
    "/Plugin.Activate",
    "/IpamDriver.GetCapabilities",
    "/IpamDriver.GetDefaultAddressSpaces",
    "/IpamDriver.RequestPool",
    "/IpamDriver.ReleasePool",
    "/IpamDriver.RequestAddress",
    "/IpamDriver.ReleaseAddress"
  };

  @TempDir Path dir;

  private record Seed(String path, String body) {}

  private record Pool(String id, IpPrefix prefix) {}

  @Test
  void randomAndMutatedBodiesNeverBreakTheServerOrTheStore() throws IOException {
    InMemoryStateStore store = new InMemoryStateStore();
    IpamEngine ipam = IpamEngine.open(store, IpamConfig.defaults(), Clock.systemUTC());
    Random random = new Random(SEED);
    try (PluginServer server =
            PluginServer.start(dir.resolve("f.sock"), ipam.driver(), new HostId("fuzz-node"));
        UnixHttpClient client = UnixHttpClient.connect(server.socketPath())) {
      List<Pool> pools = new ArrayList<>();
      for (String body :
          List.of(
              "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.5.0.0/24\",\"SubPool\":\"\",\"Options\":{},\"V6\":false}",
              "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"fd00:6::/64\",\"SubPool\":\"\",\"Options\":{},\"V6\":true}",
              "{\"AddressSpace\":\"ClusterIpamGlobal\",\"Pool\":\"10.20.0.0/24\",\"SubPool\":\"\",\"Options\":null,\"V6\":false}",
              "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"\",\"SubPool\":\"\",\"Options\":{},\"V6\":false}")) {
        JsonObject o = object(client.post("/IpamDriver.RequestPool", body).body());
        pools.add(new Pool(o.getString("PoolID"), IpPrefix.parse(o.getString("Pool"))));
      }
      List<Seed> seeds = seeds(pools, random);
      int refused = 0;
      int succeeded = 0;
      for (int round = 0; round < ROUNDS; round++) {
        Seed seed = seeds.get(random.nextInt(seeds.size()));
        String path = random.nextInt(10) == 0 ? PATHS[random.nextInt(PATHS.length)] : seed.path();
        byte[] body = Mutations.mutate(seed.body().getBytes(StandardCharsets.UTF_8), random);
        long before = store.revision();
        UnixHttpClient.Response r = client.post(path, body);
        String context =
            "seed "
                + SEED
                + " round "
                + round
                + " "
                + path
                + " body "
                + Mutations.preview(body)
                + " -> "
                + Mutations.preview(r.body().getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as(context).isEqualTo(200);
        JsonObject o = object(r.body());
        if (o.containsKey("Error")) {
          refused++;
          assertThat(o.keySet()).as(context).containsExactly("Error");
          assertThat(o.get("Error").getValueType())
              .as(context)
              .isEqualTo(JsonValue.ValueType.STRING);
          assertThat(o.getString("Error"))
              .as(context)
              .isNotBlank()
              .isNotEqualTo("null")
              .doesNotContain("\n", "\tat ");
          assertThat(store.revision())
              .as(context + ": a refused request changed the store")
              .isEqualTo(before);
        } else {
          succeeded++;
          SuccessShapes.check(path, o, context);
        }
      }
      assertThat(refused).as("refused").isGreaterThan(ROUNDS / 4);
      assertThat(succeeded).as("succeeded").isGreaterThan(ROUNDS / 20);
      assertThat(client.isOpen()).isTrue();
      assertThat(object(client.post("/Plugin.Activate", "").body()).getJsonArray("Implements"))
          .hasSize(1);
    }
  }

  /** Trace requests rewritten to this server's spaces and pools, plus empty bodies. */
  private static List<Seed> seeds(List<Pool> pools, Random random) throws IOException {
    List<Seed> seeds = new ArrayList<>();
    for (String file : List.of(DockerTrace.V1_LOCAL, DockerTrace.V2_SWARM)) {
      for (DockerTrace.Call call : DockerTrace.load(file)) {
        String raw = call.rawBody();
        Pool pool = pools.get(random.nextInt(pools.size()));
        String address = pool.prefix().addressAt(1 + random.nextInt(200)).toString();
        String body =
            raw.replace("ProbeLocal/", "X-POOL-PREFIX/")
                .replace("ProbeGlobal/", "X-POOL-PREFIX/")
                .replace("\"ProbeLocal\"", "\"ClusterIpamLocal\"")
                .replace("\"ProbeGlobal\"", "\"ClusterIpamGlobal\"");
        body =
            body.replaceAll(
                "\"PoolID\":\"X-POOL-PREFIX/[^\"]*\"", "\"PoolID\":\"" + pool.id() + "\"");
        if (body.contains("\"Address\":\"") && !body.contains("\"Address\":\"\"")) {
          body = body.replaceAll("\"Address\":\"[^\"]*\"", "\"Address\":\"" + address + "\"");
        }
        seeds.add(new Seed(call.path(), body));
      }
    }
    return seeds;
  }

  static JsonObject object(String text) {
    try (JsonReader r = jakarta.json.Json.createReader(new StringReader(text))) {
      return r.readObject();
    }
  }

  /** What a successful answer must look like, per endpoint. */
  static final class SuccessShapes {
    static void check(String path, JsonObject o, String context) {
      switch (path) {
        case "/Plugin.Activate" ->
            assertThat(o.toString()).as(context).isEqualTo("{\"Implements\":[\"IpamDriver\"]}");
        case "/IpamDriver.GetCapabilities" ->
            assertThat(o.keySet())
                .as(context)
                .containsExactlyInAnyOrder("RequiresMACAddress", "RequiresRequestReplay");
        case "/IpamDriver.GetDefaultAddressSpaces" ->
            assertThat(o.keySet())
                .as(context)
                .containsExactlyInAnyOrder("LocalDefaultAddressSpace", "GlobalDefaultAddressSpace");
        case "/IpamDriver.RequestPool" -> {
          assertThat(o.keySet()).as(context).containsExactlyInAnyOrder("PoolID", "Pool", "Data");
          assertThat(o.getString("PoolID")).as(context).isNotBlank();
          IpPrefix.parse(o.getString("Pool"));
          assertThat(o.getJsonObject("Data").values())
              .as(context)
              .allMatch(v -> v.getValueType() == JsonValue.ValueType.STRING);
        }
        case "/IpamDriver.RequestAddress" -> {
          assertThat(o.keySet()).as(context).containsExactlyInAnyOrder("Address", "Data");
          String[] parts = o.getString("Address").split("/");
          assertThat(parts).as(context).hasSize(2);
          IpPrefix.containing(IpAddress.parse(parts[0]), Integer.parseInt(parts[1]));
        }
        case "/IpamDriver.ReleasePool", "/IpamDriver.ReleaseAddress" ->
            assertThat(o).as(context).isEmpty();
        default -> throw new AssertionError(context + ": success for an unknown path");
      }
    }
  }
}
