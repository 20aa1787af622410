package org.clusteripam.docker.trace;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.clusteripam.core.ipam.AddressSpaces;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.docker.testing.UnixHttpClient;

/**
 * Replays one dockerd's recorded calls, in order, against our server, and checks every answer is
 * one Docker can live with.
 *
 * <p>The trace holds the stand-in plugin's answers, not ours, so the replay translates as dockerd
 * would have sent them to us: address spaces to ours, pool ids to the ids we returned, auto pools
 * to the pool we carved, and addresses the stand-in handed out to the addresses we handed out
 * (a node's request for a swarm manager's address uses what we gave the manager). Calls the
 * stand-in was told to fail (lines 50-57 of the v1 trace) are skipped: dockerd's reaction to the
 * failure, a rollback, is in the following lines.
 */
final class TraceReplayer {
  private enum Space {
    LOCAL,
    GLOBAL
  }

  /** One network's life, from RequestPool to ReleasePool, in one address space. */
  private static final class Network {
    final String tracePoolId;
    final Space space;
    final IpPrefix tracePrefix;
    final boolean auto;
    final String ourPoolId;
    final IpPrefix ourPrefix;
    final Optional<IpPrefix> ourSubPool;
    /** Stand-in's address → ours, learned from each RequestAddress answer. */
    final Map<IpAddress, IpAddress> addresses = new HashMap<>();

    Network(String tracePoolId, Space space, IpPrefix tracePrefix, boolean auto, String ourPoolId, IpPrefix ourPrefix, Optional<IpPrefix> ourSubPool) {
      this.tracePoolId = tracePoolId;
      this.space = space;
      this.tracePrefix = tracePrefix;
      this.auto = auto;
      this.ourPoolId = ourPoolId;
      this.ourPrefix = ourPrefix;
      this.ourSubPool = ourSubPool;
    }
  }

  private final String name;
  private final UnixHttpClient client;
  private final AddressSpaces spaces;
  private final StoreInspector store;
  private final Map<String, Network> live = new LinkedHashMap<>();
  private final Map<IpPrefix, IpPrefix> autoPools = new HashMap<>();
  /** Who holds each of our addresses: the address spaces (one host per replayer). */
  private final Map<IpPrefix, Map<IpAddress, Set<Space>>> held = new HashMap<>();
  private int replayed;
  private int skipped;
  private int poolLivesEnded;

  TraceReplayer(String name, UnixHttpClient client, AddressSpaces spaces, StoreInspector store) {
    this.name = name;
    this.client = client;
    this.spaces = spaces;
    this.store = store;
  }

  int replayed() {
    return replayed;
  }

  int skipped() {
    return skipped;
  }

  int poolLivesEnded() {
    return poolLivesEnded;
  }

  void replay(TraceCall call) throws IOException {
    if (call.failedInTrace()) {
      skipped++;
      return;
    }
    replayed++;
    String at = name + " line " + call.line() + " " + call.method();
    switch (call.method()) {
      case "Plugin.Activate" -> assertThat(ok(at, call.path(), "")).as(at).isEqualTo(TraceCall.object("{\"Implements\":[\"IpamDriver\"]}"));
      case "IpamDriver.GetCapabilities" -> assertThat(ok(at, call.path(), ""))
          .as(at).isEqualTo(TraceCall.object("{\"RequiresMACAddress\":false,\"RequiresRequestReplay\":true}"));
      case "IpamDriver.GetDefaultAddressSpaces" -> assertThat(ok(at, call.path(), ""))
          .as(at).isEqualTo(TraceCall.object(
              "{\"LocalDefaultAddressSpace\":\"" + spaces.local() + "\",\"GlobalDefaultAddressSpace\":\"" + spaces.global() + "\"}"));
      case "IpamDriver.RequestPool" -> requestPool(at, call);
      case "IpamDriver.RequestAddress" -> requestAddress(at, call);
      case "IpamDriver.ReleaseAddress" -> releaseAddress(at, call);
      case "IpamDriver.ReleasePool" -> releasePool(at, call);
      default -> throw new AssertionError(at + ": unexpected method in trace");
    }
  }

  private void requestPool(String at, TraceCall call) throws IOException {
    JsonObject req = call.request().orElseThrow();
    Space space = space(req.getString("AddressSpace"));
    String tracePoolId = call.response().getString("PoolID");
    IpPrefix tracePrefix = IpPrefix.parse(call.response().getString("Pool"));
    String pool = req.getString("Pool");
    boolean auto = pool.isEmpty();
    String ourRequested = auto ? "" : autoPools.getOrDefault(IpPrefix.parse(pool), IpPrefix.parse(pool)).toString();
    JsonObjectBuilder body = Json.createObjectBuilder(req)
        .add("AddressSpace", space == Space.LOCAL ? spaces.local() : spaces.global())
        .add("Pool", ourRequested);
    JsonObject resp = ok(at, call.path(), body.build().toString());
    assertThat(resp.keySet()).as(at).containsExactlyInAnyOrder("PoolID", "Pool", "Data");
    String ourId = resp.getString("PoolID");
    IpPrefix ours = IpPrefix.parse(resp.getString("Pool"));
    assertThat(ourId).as(at).isNotBlank();
    assertStringMap(at, resp.getJsonObject("Data"));
    Optional<IpPrefix> subPool = req.getString("SubPool").isEmpty() ? Optional.empty() : Optional.of(IpPrefix.parse(req.getString("SubPool")));
    Network replayOf = live.get(tracePoolId);
    if (replayOf != null) {
      // dockerd's replay after a restart (RequiresRequestReplay): the same pool, the same id.
      assertThat(ourId).as(at + " replayed pool id").isEqualTo(replayOf.ourPoolId);
      assertThat(ours).as(at + " replayed pool").isEqualTo(replayOf.ourPrefix);
      return;
    }
    if (auto) {
      assertThat(ours.family()).as(at + " auto pool family").isEqualTo(req.getBoolean("V6") ? IpFamily.IPV6 : IpFamily.IPV4);
      for (Network n : live.values()) {
        // dockerd's overlap retry (v1 lines 58-61) needs a different pool while the first is held.
        assertThat(ours.overlaps(n.ourPrefix)).as(at + ": auto pool " + ours + " overlaps live pool " + n.ourPrefix).isFalse();
      }
      autoPools.put(tracePrefix, ours);
    } else {
      assertThat(ours.toString()).as(at + " explicit pool returned unchanged").isEqualTo(ourRequested);
    }
    live.put(tracePoolId, new Network(tracePoolId, space, tracePrefix, auto, ourId, ours, subPool));
  }

  private void requestAddress(String at, TraceCall call) throws IOException {
    JsonObject req = call.request().orElseThrow();
    Network net = network(at, req.getString("PoolID"));
    String traceAddress = req.getString("Address");
    Optional<IpAddress> preferred = traceAddress.isEmpty() ? Optional.empty() : Optional.of(preferred(net, IpAddress.parse(traceAddress)));
    JsonObjectBuilder body = Json.createObjectBuilder(req)
        .add("PoolID", net.ourPoolId)
        .add("Address", preferred.map(IpAddress::toString).orElse(""));
    JsonObject resp = ok(at, call.path(), body.build().toString());
    assertThat(resp.keySet()).as(at).containsExactlyInAnyOrder("Address", "Data");
    assertStringMap(at, resp.getJsonObject("Data"));
    String cidr = resp.getString("Address");
    int slash = cidr.indexOf('/');
    assertThat(slash).as(at + " address " + cidr + " is ip/len").isPositive();
    IpAddress ours = IpAddress.parse(cidr.substring(0, slash));
    assertThat(Integer.parseInt(cidr.substring(slash + 1))).as(at + " prefix length of " + cidr).isEqualTo(net.ourPrefix.length());
    assertThat(net.ourPrefix.contains(ours)).as(at + ": " + ours + " inside " + net.ourPrefix).isTrue();
    Map<IpAddress, Set<Space>> holders = held.computeIfAbsent(net.ourPrefix, p -> new HashMap<>());
    Set<Space> by = holders.computeIfAbsent(ours, a -> new HashSet<>());
    if (preferred.isPresent()) {
      assertThat(ours).as(at + " preferred address honoured").isEqualTo(preferred.get());
      // Held already by the same space: an idempotent replay. By the other: swarm's local copy
      // of a manager's address, which cluster mode must return exactly.
    } else {
      assertThat(by).as(at + ": dynamic " + ours + " handed out while still held").isEmpty();
      net.ourSubPool.ifPresent(r -> assertThat(r.contains(ours)).as(at + ": dynamic " + ours + " inside ip-range " + r).isTrue());
      if (ours.isV4() && net.ourPrefix.length() < 31) {
        assertThat(ours).as(at + " not the network address").isNotEqualTo(net.ourPrefix.first());
        assertThat(ours).as(at + " not the broadcast address").isNotEqualTo(net.ourPrefix.last());
      }
    }
    by.add(net.space);
    IpAddress standIn = IpAddress.parse(call.response().getString("Address").split("/")[0]);
    net.addresses.put(standIn, ours);
  }

  /** The address dockerd would have sent us instead of the trace's. */
  private IpAddress preferred(Network net, IpAddress traceAddress) {
    if (net.space == Space.LOCAL) {
      // A node's local copy of a swarm network asks for the manager's addresses.
      for (Network n : live.values()) {
        if (n.space == Space.GLOBAL && n.tracePrefix.equals(net.tracePrefix) && n.addresses.containsKey(traceAddress)) {
          return n.addresses.get(traceAddress);
        }
      }
    }
    return translate(net, traceAddress);
  }

  private IpAddress translate(Network net, IpAddress traceAddress) {
    IpAddress own = net.addresses.get(traceAddress);
    if (own != null) {
      return own;
    }
    for (Network n : live.values()) {
      if (n != net && n.tracePrefix.equals(net.tracePrefix) && n.addresses.containsKey(traceAddress)) {
        return n.addresses.get(traceAddress);
      }
    }
    // A user's --ip/--aux-address/--gateway: the same place in our pool (identity for explicit pools).
    return net.ourPrefix.addressAt(net.tracePrefix.offsetOf(traceAddress));
  }

  private void releaseAddress(String at, TraceCall call) throws IOException {
    JsonObject req = call.request().orElseThrow();
    Network net = network(at, req.getString("PoolID"));
    IpAddress ours = translate(net, IpAddress.parse(req.getString("Address")));
    JsonObject body = Json.createObjectBuilder(req).add("PoolID", net.ourPoolId).add("Address", ours.toString()).build();
    assertThat(ok(at, call.path(), body.toString())).as(at).isEmpty();
    Set<Space> by = held.getOrDefault(net.ourPrefix, Map.of()).get(ours);
    if (by != null) {
      by.remove(net.space);
    }
  }

  private void releasePool(String at, TraceCall call) throws IOException {
    JsonObject req = call.request().orElseThrow();
    Network net = network(at, req.getString("PoolID"));
    JsonObject body = Json.createObjectBuilder(req).add("PoolID", net.ourPoolId).build();
    assertThat(ok(at, call.path(), body.toString())).as(at).isEmpty();
    endOfLife(at, net);
  }

  /** dockerd's {@code docker network rm} for every network the trace leaves alive. */
  void tearDown() throws IOException {
    for (Network net : new ArrayList<>(live.values())) {
      String at = name + " teardown of " + net.tracePoolId;
      assertThat(ok(at, "/IpamDriver.ReleasePool", Json.createObjectBuilder().add("PoolID", net.ourPoolId).build().toString()))
          .as(at).isEmpty();
      endOfLife(at, net);
    }
  }

  private void endOfLife(String at, Network net) {
    live.remove(net.tracePoolId);
    if (net.auto) {
      autoPools.remove(net.tracePrefix);
    }
    held.getOrDefault(net.ourPrefix, Map.of()).values().forEach(s -> s.remove(net.space));
    boolean shared = live.values().stream().anyMatch(n -> n.ourPrefix.equals(net.ourPrefix));
    if (!shared) {
      poolLivesEnded++;
      assertThat(store.leftovers(net.ourPrefix)).as(at + ": " + net.ourPrefix + " fully released at the end of its life").isEmpty();
    }
  }

  private Network network(String at, String tracePoolId) {
    Network n = live.get(tracePoolId);
    assertThat(n).as(at + ": trace pool id " + tracePoolId + " is live").isNotNull();
    return n;
  }

  private Space space(String traceSpace) {
    return switch (traceSpace) {
      case "ProbeLocal" -> Space.LOCAL;
      case "ProbeGlobal" -> Space.GLOBAL;
      default -> throw new AssertionError("unknown address space in trace: " + traceSpace);
    };
  }

  private JsonObject ok(String at, String path, String body) throws IOException {
    UnixHttpClient.Response r = client.post(path, body);
    assertThat(r.status()).as(at).isEqualTo(200);
    JsonObject o = TraceCall.object(r.body());
    assertThat(o.containsKey("Error")).as(at + " answered " + r.body() + " to " + body).isFalse();
    return o;
  }

  private static void assertStringMap(String at, JsonObject data) {
    for (JsonValue v : data.values()) {
      assertThat(v.getValueType()).as(at + " Data values are strings").isEqualTo(JsonValue.ValueType.STRING);
    }
  }
}
