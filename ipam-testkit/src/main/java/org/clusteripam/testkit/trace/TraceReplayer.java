package org.clusteripam.testkit.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.clusteripam.core.ipam.AddressSpaces;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;

/**
 * Replays one dockerd's recorded calls, in order, against a driver speaking Docker's remote IPAM
 * protocol, and checks every answer is one Docker can live with.
 *
 * <p>The trace holds the stand-in plugin's answers, not ours, so the replay translates as dockerd
 * would have sent them to us: address spaces to ours, pool ids to the ids we returned, auto pools
 * to the pool we carved, and addresses the stand-in handed out to the addresses we handed out (a
 * node's request for a swarm manager's address uses what we gave the manager). Calls the stand-in
 * was told to fail (lines 50-57 of the v1 trace) are skipped: dockerd's reaction to the failure, a
 * rollback, is in the following lines.
 *
 * <p>Besides each answer, it keeps a model of who holds what (gateways included: Docker uses a
 * gateway from a pool's data without asking), read back with {@link #held()} and {@link
 * #poolHolders()}: no address is held by two holders unless Docker asked for a shared one (a replay
 * after the pool was re-requested, a shared gateway, the swarm allocator's own repeats, a node
 * re-requesting the swarm manager's address).
 */
public final class TraceReplayer {
  /** The driver under test: one HTTP POST of Docker's protocol. */
  @FunctionalInterface
  public interface Driver {
    Answer post(String path, String body) throws IOException;
  }

  /** An HTTP answer. */
  public record Answer(int status, String body) {}

  /** The address space of a call: dockerd's local one, or swarm's global one. */
  public enum Space {
    LOCAL,
    GLOBAL
  }

  private static final String GATEWAY_OPTION = "com.docker.network.gateway";

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

    Network(
        String tracePoolId,
        Space space,
        IpPrefix tracePrefix,
        boolean auto,
        String ourPoolId,
        IpPrefix ourPrefix,
        Optional<IpPrefix> ourSubPool) {
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
  private final Driver driver;
  private final AddressSpaces spaces;
  private final StoreInspector store;
  private final Map<String, Network> live = new LinkedHashMap<>();
  private final Map<IpPrefix, IpPrefix> autoPools = new HashMap<>();

  /** Who holds each address that RequestAddress handed out, by space (one host per replayer). */
  private final Map<IpPrefix, Map<IpAddress, Set<Space>>> endpoints = new HashMap<>();

  /** The model: our pool → our address → holding spaces, gateways from pool data included. */
  private final Map<IpPrefix, Map<IpAddress, Set<Space>>> held = new TreeMap<>();

  /** Our pool → the spaces holding it. */
  private final Map<IpPrefix, Set<Space>> poolHolders = new TreeMap<>();

  /** "pool|space" of every pool a space re-requested while holding it. */
  private final Set<String> replayedPools = new HashSet<>();

  private int replayed;
  private int skipped;
  private int poolLivesEnded;

  public TraceReplayer(String name, Driver driver, AddressSpaces spaces, StoreInspector store) {
    this.name = name;
    this.driver = driver;
    this.spaces = spaces;
    this.store = store;
  }

  public int replayed() {
    return replayed;
  }

  public int skipped() {
    return skipped;
  }

  public int poolLivesEnded() {
    return poolLivesEnded;
  }

  /** Who holds what now, by our pool: the model the answers were checked against. */
  public Map<IpPrefix, Map<IpAddress, Set<Space>>> held() {
    Map<IpPrefix, Map<IpAddress, Set<Space>>> out = new TreeMap<>();
    held.forEach(
        (p, m) -> {
          if (!m.isEmpty()) {
            out.put(p, m);
          }
        });
    return out;
  }

  /** Pools still held, with the spaces holding them. */
  public Map<IpPrefix, Set<Space>> poolHolders() {
    return poolHolders;
  }

  /** Replays every call in order. */
  public void replayAll(List<DockerTrace.Call> calls) throws IOException {
    for (DockerTrace.Call c : calls) {
      replay(c);
    }
  }

  public void replay(DockerTrace.Call call) throws IOException {
    if (call.failed()) {
      skipped++;
      return;
    }
    replayed++;
    String at = name + " line " + call.line() + " " + call.method() + " " + call.rawBody().strip();
    switch (call.method()) {
      case "Plugin.Activate" ->
          assertThat(ok(at, call.path(), ""))
              .as(at)
              .isEqualTo(DockerTrace.json("{\"Implements\":[\"IpamDriver\"]}"));
      case "GetCapabilities" ->
          assertThat(ok(at, call.path(), ""))
              .as(at)
              .isEqualTo(
                  DockerTrace.json(
                      "{\"RequiresMACAddress\":false,\"RequiresRequestReplay\":true}"));
      case "GetDefaultAddressSpaces" ->
          assertThat(ok(at, call.path(), ""))
              .as(at)
              .isEqualTo(
                  DockerTrace.json(
                      "{\"LocalDefaultAddressSpace\":\""
                          + spaces.local()
                          + "\",\"GlobalDefaultAddressSpace\":\""
                          + spaces.global()
                          + "\"}"));
      case "RequestPool" -> requestPool(at, call);
      case "RequestAddress" -> requestAddress(at, call);
      case "ReleaseAddress" -> releaseAddress(at, call);
      case "ReleasePool" -> releasePool(at, call);
      default -> throw new AssertionError(at + ": unexpected method in trace");
    }
  }

  private void requestPool(String at, DockerTrace.Call call) throws IOException {
    JsonNode req = call.request();
    Space space = space(call.text("AddressSpace"));
    String tracePoolId = call.response().get("PoolID").asText();
    IpPrefix tracePrefix = IpPrefix.parse(call.response().get("Pool").asText());
    String pool = call.text("Pool");
    boolean auto = pool.isEmpty();
    String ourRequested =
        auto ? "" : autoPools.getOrDefault(IpPrefix.parse(pool), IpPrefix.parse(pool)).toString();
    ObjectNode body =
        ((ObjectNode) req.deepCopy())
            .put("AddressSpace", space == Space.LOCAL ? spaces.local() : spaces.global())
            .put("Pool", ourRequested);
    JsonNode resp = ok(at, call.path(), body.toString());
    assertThat(fields(resp)).as(at).containsExactlyInAnyOrder("PoolID", "Pool", "Data");
    String ourId = resp.get("PoolID").asText();
    IpPrefix ours = IpPrefix.parse(resp.get("Pool").asText());
    assertThat(ourId).as(at).isNotBlank();
    assertStringMap(at, resp.get("Data"));
    Set<Space> holdingPool = poolHolders.getOrDefault(ours, Set.of());
    if (auto) {
      assertThat(holdingPool)
          .as(
              at
                  + ": an identical auto-pool request while the first is held got the same pool "
                  + ours)
          .doesNotContain(space);
    }
    JsonNode gw = resp.get("Data").get(GATEWAY_OPTION);
    if (gw != null) {
      String g = gw.asText();
      assertThat(
              g.endsWith("/" + ours.length())
                  && ours.contains(IpAddress.parse(g.substring(0, g.indexOf('/')))))
          .as(at + ": gateway data " + g + " inside " + ours)
          .isTrue();
      hold(ours, IpAddress.parse(g.substring(0, g.indexOf('/'))), space);
    }
    if (holdingPool.contains(space)) {
      replayedPools.add(ours + "|" + space); // what this space holds may now be asked for again
    }
    poolHolders.computeIfAbsent(ours, k -> new TreeSet<>()).add(space);
    Optional<IpPrefix> subPool =
        call.text("SubPool").isEmpty()
            ? Optional.empty()
            : Optional.of(IpPrefix.parse(call.text("SubPool")));
    Network replayOf = live.get(tracePoolId);
    if (replayOf != null) {
      // dockerd's replay after a restart (RequiresRequestReplay): the same pool, the same id.
      assertThat(ourId).as(at + " replayed pool id").isEqualTo(replayOf.ourPoolId);
      assertThat(ours).as(at + " replayed pool").isEqualTo(replayOf.ourPrefix);
      return;
    }
    if (auto) {
      assertThat(ours.family())
          .as(at + " auto pool family")
          .isEqualTo(req.get("V6").asBoolean() ? IpFamily.IPV6 : IpFamily.IPV4);
      for (Network n : live.values()) {
        // dockerd's overlap retry (v1 lines 58-61) needs a different pool while the first is held.
        assertThat(ours.overlaps(n.ourPrefix))
            .as(at + ": auto pool " + ours + " overlaps live pool " + n.ourPrefix)
            .isFalse();
      }
      autoPools.put(tracePrefix, ours);
    } else {
      assertThat(ours.toString())
          .as(at + " explicit pool returned unchanged")
          .isEqualTo(ourRequested);
    }
    live.put(tracePoolId, new Network(tracePoolId, space, tracePrefix, auto, ourId, ours, subPool));
  }

  private void requestAddress(String at, DockerTrace.Call call) throws IOException {
    Network net = network(at, call.text("PoolID"));
    String traceAddress = call.text("Address");
    Optional<IpAddress> preferred =
        traceAddress.isEmpty()
            ? Optional.empty()
            : Optional.of(preferred(net, IpAddress.parse(traceAddress)));
    ObjectNode body =
        ((ObjectNode) call.request().deepCopy())
            .put("PoolID", net.ourPoolId)
            .put("Address", preferred.map(IpAddress::toString).orElse(""));
    JsonNode resp = ok(at, call.path(), body.toString());
    assertThat(fields(resp)).as(at).containsExactlyInAnyOrder("Address", "Data");
    assertStringMap(at, resp.get("Data"));
    String cidr = resp.get("Address").asText();
    int slash = cidr.indexOf('/');
    assertThat(slash).as(at + " address " + cidr + " is ip/len").isPositive();
    IpAddress ours = IpAddress.parse(cidr.substring(0, slash));
    assertThat(Integer.parseInt(cidr.substring(slash + 1)))
        .as(at + " prefix length of " + cidr)
        .isEqualTo(net.ourPrefix.length());
    assertThat(net.ourPrefix.contains(ours))
        .as(at + ": " + ours + " inside " + net.ourPrefix)
        .isTrue();
    Set<Space> by =
        endpoints
            .computeIfAbsent(net.ourPrefix, p -> new HashMap<>())
            .computeIfAbsent(ours, a -> new HashSet<>());
    if (preferred.isPresent()) {
      assertThat(ours).as(at + " preferred address honoured").isEqualTo(preferred.get());
      // Held already by the same space: an idempotent replay. By the other: swarm's local copy
      // of a manager's address, which cluster mode must return exactly.
    } else {
      assertThat(by).as(at + ": dynamic " + ours + " handed out while still held").isEmpty();
      net.ourSubPool.ifPresent(
          r ->
              assertThat(r.contains(ours))
                  .as(at + ": dynamic " + ours + " inside ip-range " + r)
                  .isTrue());
      if (ours.isV4() && net.ourPrefix.length() < 31) {
        assertThat(ours).as(at + " not the network address").isNotEqualTo(net.ourPrefix.first());
        assertThat(ours).as(at + " not the broadcast address").isNotEqualTo(net.ourPrefix.last());
      }
    }
    by.add(net.space);
    // Against the model: asking again for what a space holds is a replay only for a gateway, for
    // the swarm allocator, or after the space re-requested the pool (a restore); otherwise it is a
    // second endpoint on that address.
    boolean gateway = GATEWAY_OPTION.equals(call.options().get("RequestAddressType"));
    Set<Space> holders = held.getOrDefault(net.ourPrefix, Map.of()).getOrDefault(ours, Set.of());
    boolean replay =
        holders.contains(net.space)
            && (gateway
                || net.space == Space.GLOBAL
                || replayedPools.contains(net.ourPrefix + "|" + net.space));
    boolean sharedWithManager =
        net.space == Space.LOCAL && holders.contains(Space.GLOBAL) && preferred.isPresent();
    boolean sharedGateway = gateway && preferred.isPresent();
    assertThat(holders.isEmpty() || replay || sharedWithManager || sharedGateway)
        .as(at + ": " + ours + " handed out to " + net.space + " while held by " + holders)
        .isTrue();
    hold(net.ourPrefix, ours, net.space);
    IpAddress standIn = IpAddress.parse(call.response().get("Address").asText().split("/")[0]);
    net.addresses.put(standIn, ours);
  }

  private void hold(IpPrefix pool, IpAddress a, Space s) {
    held.computeIfAbsent(pool, k -> new TreeMap<>())
        .computeIfAbsent(a, k -> new TreeSet<>())
        .add(s);
  }

  /** The address dockerd would have sent us instead of the trace's. */
  private IpAddress preferred(Network net, IpAddress traceAddress) {
    if (net.space == Space.LOCAL) {
      // A node's local copy of a swarm network asks for the manager's addresses.
      for (Network n : live.values()) {
        if (n.space == Space.GLOBAL
            && n.tracePrefix.equals(net.tracePrefix)
            && n.addresses.containsKey(traceAddress)) {
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
      if (n != net
          && n.tracePrefix.equals(net.tracePrefix)
          && n.addresses.containsKey(traceAddress)) {
        return n.addresses.get(traceAddress);
      }
    }
    // A user's --ip/--aux-address/--gateway: the same place in our pool (identity for explicit
    // pools).
    return net.ourPrefix.addressAt(net.tracePrefix.offsetOf(traceAddress));
  }

  private void releaseAddress(String at, DockerTrace.Call call) throws IOException {
    Network net = network(at, call.text("PoolID"));
    IpAddress ours = translate(net, IpAddress.parse(call.text("Address")));
    ObjectNode body =
        ((ObjectNode) call.request().deepCopy())
            .put("PoolID", net.ourPoolId)
            .put("Address", ours.toString());
    assertThat(ok(at, call.path(), body.toString())).as(at).isEmpty();
    Set<Space> by = endpoints.getOrDefault(net.ourPrefix, Map.of()).get(ours);
    if (by != null) {
      by.remove(net.space);
    }
    Map<IpAddress, Set<Space>> m = held.getOrDefault(net.ourPrefix, new TreeMap<>());
    Set<Space> h = m.get(ours);
    if (h != null) {
      h.remove(net.space);
      if (h.isEmpty()) {
        m.remove(ours);
      }
    }
  }

  private void releasePool(String at, DockerTrace.Call call) throws IOException {
    Network net = network(at, call.text("PoolID"));
    ObjectNode body = ((ObjectNode) call.request().deepCopy()).put("PoolID", net.ourPoolId);
    assertThat(ok(at, call.path(), body.toString())).as(at).isEmpty();
    endOfLife(at, net);
  }

  /** dockerd's {@code docker network rm} for every network the trace leaves alive. */
  public void tearDown() throws IOException {
    for (Network net : new ArrayList<>(live.values())) {
      String at = name + " teardown of " + net.tracePoolId;
      ObjectNode body = JsonNodeFactory.instance.objectNode().put("PoolID", net.ourPoolId);
      assertThat(ok(at, "/IpamDriver.ReleasePool", body.toString())).as(at).isEmpty();
      endOfLife(at, net);
    }
  }

  private void endOfLife(String at, Network net) {
    live.remove(net.tracePoolId);
    if (net.auto) {
      autoPools.remove(net.tracePrefix);
    }
    endpoints.getOrDefault(net.ourPrefix, Map.of()).values().forEach(s -> s.remove(net.space));
    Set<Space> holding = poolHolders.get(net.ourPrefix);
    if (holding != null) {
      holding.remove(net.space);
      replayedPools.remove(net.ourPrefix + "|" + net.space);
      Map<IpAddress, Set<Space>> m = held.getOrDefault(net.ourPrefix, new TreeMap<>());
      m.values().forEach(h -> h.remove(net.space));
      m.values().removeIf(Set::isEmpty);
      if (holding.isEmpty()) {
        poolHolders.remove(net.ourPrefix);
        held.remove(net.ourPrefix);
      }
    }
    boolean shared = live.values().stream().anyMatch(n -> n.ourPrefix.equals(net.ourPrefix));
    if (!shared) {
      poolLivesEnded++;
      assertThat(store.leftovers(net.ourPrefix))
          .as(at + ": " + net.ourPrefix + " fully released at the end of its life")
          .isEmpty();
    }
  }

  private Network network(String at, String tracePoolId) {
    Network n = live.get(tracePoolId);
    assertThat(n).as(at + ": trace pool id " + tracePoolId + " is live").isNotNull();
    return n;
  }

  private static Space space(String traceSpace) {
    return switch (traceSpace) {
      case "ProbeLocal" -> Space.LOCAL;
      case "ProbeGlobal" -> Space.GLOBAL;
      default -> throw new AssertionError("unknown address space in trace: " + traceSpace);
    };
  }

  private JsonNode ok(String at, String path, String body) throws IOException {
    Answer r = driver.post(path, body);
    assertThat(r.status()).as(at).isEqualTo(200);
    JsonNode o = DockerTrace.json(r.body());
    assertThat(o.isObject()).as(at + " answered an object: " + r.body()).isTrue();
    assertThat(o.has("Error")).as(at + " answered " + r.body() + " to " + body).isFalse();
    return o;
  }

  private static List<String> fields(JsonNode o) {
    List<String> out = new ArrayList<>();
    o.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static void assertStringMap(String at, JsonNode data) {
    assertThat(data.isObject()).as(at + " Data is an object").isTrue();
    data.elements()
        .forEachRemaining(
            v -> assertThat(v.isTextual()).as(at + " Data values are strings").isTrue());
  }
}
