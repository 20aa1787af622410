package org.clusteripam.core.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.clusteripam.core.ipam.AddressGrant;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.Ipam;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * Replays a recorded trace through an {@link Ipam} in order and checks that every answer is valid
 * for Docker. The stand-in that recorded the trace answered naively, so its pools and addresses
 * are translated to ours: a trace pool maps to the pool we granted for the same request, a trace
 * address to the address we granted for the same request (or, for an address never granted, to
 * the same offset in our pool). Calls that the stand-in failed on purpose are skipped (dockerd
 * saw an error and acted on it). All calls come from one dockerd, {@code host}.
 *
 * <p>Checks: explicit pools returned unchanged, auto pools of the right family, addresses inside
 * their pool, preferred addresses honoured, no address held by two holders unless Docker asked
 * for a shared one (a replay after the pool was re-requested, a shared gateway, the swarm
 * allocator's own repeats, a node re-requesting the swarm manager's address), and
 * a reference model of who holds what (read back with {@link #held()}).
 */
public final class TraceReplay {
  private final Ipam ipam;
  private final HostId host;
  private final String traceLocal;
  private final String traceGlobal;
  /** trace pool CIDR → our pool. */
  private final Map<String, IpPrefix> pools = new HashMap<>();
  /** trace PoolID → our PoolId. */
  private final Map<String, PoolId> ids = new HashMap<>();
  /** trace PoolID → (trace address → our address). */
  private final Map<String, Map<IpAddress, IpAddress>> addresses = new HashMap<>();
  /** our pool → our address → holders ("local"/"global" spaces of this one host). */
  private final Map<IpPrefix, Map<IpAddress, Set<String>>> held = new TreeMap<>();
  /** our pool → spaces holding it. */
  private final Map<IpPrefix, Set<String>> poolHolders = new TreeMap<>();
  private final List<String> log = new ArrayList<>();
  /** "pool|space" of every pool a space re-requested while holding it (the clock never moves here). */
  private final Set<String> replayed = new java.util.HashSet<>();

  public TraceReplay(Ipam ipam, HostId host, String traceLocalSpace, String traceGlobalSpace) {
    this.ipam = ipam;
    this.host = host;
    this.traceLocal = traceLocalSpace;
    this.traceGlobal = traceGlobalSpace;
  }

  /** Replays every call; throws {@link AssertionError} at the first invalid answer. */
  public void replay(List<DockerTrace.Call> calls) {
    for (DockerTrace.Call c : calls) {
      if (c.failed()) {
        log.add(c.line() + " skipped (injected failure)");
        continue;
      }
      try {
        switch (c.method()) {
          case "RequestPool" -> requestPool(c);
          case "ReleasePool" -> releasePool(c);
          case "RequestAddress" -> requestAddress(c);
          case "ReleaseAddress" -> releaseAddress(c);
          default -> log.add(c.line() + " " + c.method());
        }
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("trace line " + c.line() + " " + c.method() + " " + c.rawBody().strip() + ": " + e.getMessage(), e);
      }
    }
  }

  /** Who holds what now, by our pool: the model the answers were checked against. */
  public Map<IpPrefix, Map<IpAddress, Set<String>>> held() {
    return held;
  }

  /** Pools still held, with the spaces holding them. */
  public Map<IpPrefix, Set<String>> poolHolders() {
    return poolHolders;
  }

  public List<String> log() {
    return log;
  }

  private String space(String traceSpace) {
    if (traceSpace.equals(traceLocal)) {
      return "local";
    }
    if (traceSpace.equals(traceGlobal)) {
      return "global";
    }
    throw new AssertionError("unknown trace space " + traceSpace);
  }

  private String ourSpace(String s) {
    return s.equals("local") ? ipam.addressSpaces().local() : ipam.addressSpaces().global();
  }

  private static String spaceOf(String tracePoolId) {
    return tracePoolId.substring(0, tracePoolId.indexOf('/'));
  }

  private void requestPool(DockerTrace.Call c) {
    String s = space(c.text("AddressSpace"));
    String pool = c.text("Pool");
    Optional<IpPrefix> explicit = pool.isEmpty() ? Optional.empty() : Optional.of(pools.getOrDefault(pool, IpPrefix.parse(pool)));
    Optional<IpPrefix> sub = c.text("SubPool").isEmpty() ? Optional.empty()
        : Optional.of(translatePrefix(IpPrefix.parse(c.text("SubPool")), pool));
    PoolGrant g = ipam.requestPool(new PoolRequest(host, ourSpace(s), explicit, sub, c.options(), c.request().get("V6").asBoolean()));
    if (explicit.isPresent()) {
      check(g.pool().equals(explicit.get()), "explicit pool " + explicit.get() + " came back as " + g.pool());
    } else {
      check(g.pool().family() == (c.request().get("V6").asBoolean() ? org.clusteripam.core.net.IpFamily.IPV6 : org.clusteripam.core.net.IpFamily.IPV4),
          "auto pool " + g.pool() + " has the wrong family");
      check(!poolHolders.containsKey(g.pool()) || !poolHolders.get(g.pool()).contains(s),
          "an identical auto-pool request while the first is held got the same pool " + g.pool());
    }
    String gw = g.data().get("com.docker.network.gateway");
    if (gw != null) {
      IpAddress ga = IpAddress.parse(gw.substring(0, gw.indexOf('/')));
      check(g.pool().contains(ga) && gw.endsWith("/" + g.pool().length()), "gateway data " + gw + " outside " + g.pool());
      hold(g.pool(), ga, s); // Docker uses it without asking
    }
    if (poolHolders.getOrDefault(g.pool(), Set.of()).contains(s)) {
      replayed.add(g.pool() + "|" + s); // a replay: what s holds may be asked for again
    }
    pools.put(c.response().get("Pool").asText(), g.pool());
    ids.put(c.response().get("PoolID").asText(), g.id());
    poolHolders.computeIfAbsent(g.pool(), k -> new TreeSet<>()).add(s);
    log.add(c.line() + " RequestPool -> " + g.pool() + " " + g.id());
  }

  private IpPrefix translatePrefix(IpPrefix p, String tracePool) {
    IpPrefix ours = pools.get(tracePool);
    if (ours == null) {
      return p;
    }
    IpPrefix theirs = IpPrefix.parse(tracePool);
    return IpPrefix.of(ours.network().plus(p.network().offsetFrom(theirs.network())), p.length());
  }

  private PoolId poolId(DockerTrace.Call c) {
    PoolId id = ids.get(c.text("PoolID"));
    check(id != null, "pool id " + c.text("PoolID") + " was never granted");
    return id;
  }

  private IpPrefix prefixOf(String tracePoolId) {
    String rest = tracePoolId.substring(tracePoolId.indexOf('/') + 1);
    String[] parts = rest.split("/");
    return IpPrefix.parse(parts[0] + "/" + parts[1]);
  }

  /** A trace address in a request: what we granted for it, preferring the swarm manager's grants. */
  private IpAddress translate(String tracePoolId, IpAddress a, boolean preferGlobal) {
    String other = (spaceOf(tracePoolId).equals(traceLocal) ? traceGlobal : traceLocal) + tracePoolId.substring(tracePoolId.indexOf('/'));
    List<String> order = preferGlobal && spaceOf(tracePoolId).equals(traceLocal) ? List.of(other, tracePoolId) : List.of(tracePoolId, other);
    for (String id : order) {
      IpAddress m = addresses.getOrDefault(id, Map.of()).get(a);
      if (m != null) {
        return m;
      }
    }
    IpPrefix theirs = prefixOf(tracePoolId);
    IpPrefix ours = pools.getOrDefault(theirs.toString(), theirs);
    return ours.network().plus(a.offsetFrom(theirs.network()));
  }

  private void requestAddress(DockerTrace.Call c) {
    PoolId id = poolId(c);
    String s = space(spaceOf(c.text("PoolID")));
    Map<String, String> opts = new TreeMap<>(c.options());
    AddressKind kind = "com.docker.network.gateway".equals(opts.remove("RequestAddressType")) ? AddressKind.GATEWAY : AddressKind.ENDPOINT;
    Optional<IpAddress> preferred = c.text("Address").isEmpty() ? Optional.empty()
        : Optional.of(translate(c.text("PoolID"), IpAddress.parse(c.text("Address")), true));
    AddressGrant g = ipam.requestAddress(new AddressRequest(host, id, preferred, kind, opts));
    check(g.pool().contains(g.address()), g.address() + " is outside pool " + g.pool());
    check(g.cidr().equals(g.address() + "/" + g.pool().length()), "bad cidr " + g.cidr());
    preferred.ifPresent(p -> check(p.equals(g.address()), "preferred " + p + " not honoured, got " + g.address()));
    Set<String> holders = held.getOrDefault(g.pool(), Map.of()).getOrDefault(g.address(), Set.of());
    // Asking again for what s holds is a replay only for a gateway, for the swarm allocator, or
    // after s re-requested the pool (a restore); otherwise it is a second endpoint on that address.
    boolean replay = holders.contains(s) && (kind == AddressKind.GATEWAY || s.equals("global") || replayed.contains(g.pool() + "|" + s));
    boolean sharedWithManager = s.equals("local") && holders.contains("global") && preferred.isPresent();
    boolean sharedGateway = kind == AddressKind.GATEWAY && preferred.isPresent();
    check(holders.isEmpty() || replay || sharedWithManager || sharedGateway,
        g.address() + " handed out to " + s + " while held by " + holders);
    hold(g.pool(), g.address(), s);
    IpAddress traceAddr = IpAddress.parse(c.response().get("Address").asText().split("/")[0]);
    addresses.computeIfAbsent(c.text("PoolID"), k -> new HashMap<>()).put(traceAddr, g.address());
    log.add(c.line() + " RequestAddress " + kind + preferred.map(p -> " pref " + p).orElse("") + " -> " + g.cidr());
  }

  private void hold(IpPrefix pool, IpAddress a, String s) {
    held.computeIfAbsent(pool, k -> new TreeMap<>()).computeIfAbsent(a, k -> new TreeSet<>()).add(s);
  }

  private void releaseAddress(DockerTrace.Call c) {
    PoolId id = poolId(c);
    String s = space(spaceOf(c.text("PoolID")));
    IpAddress a = translate(c.text("PoolID"), IpAddress.parse(c.text("Address")), false);
    IpPrefix pool = ids.entrySet().stream().filter(e -> e.getValue().equals(id)).findFirst().map(e -> pools.get(prefixOf(e.getKey()).toString())).orElse(null);
    ipam.releaseAddress(host, id, a);
    if (pool != null) {
      Map<IpAddress, Set<String>> m = held.getOrDefault(pool, new TreeMap<>());
      Set<String> h = m.get(a);
      if (h != null) {
        h.remove(s);
        if (h.isEmpty()) {
          m.remove(a);
        }
      }
    }
    log.add(c.line() + " ReleaseAddress " + a);
  }

  private void releasePool(DockerTrace.Call c) {
    PoolId id = poolId(c);
    String s = space(spaceOf(c.text("PoolID")));
    IpPrefix pool = pools.get(prefixOf(c.text("PoolID")).toString());
    ipam.releasePool(host, id);
    if (pool != null && poolHolders.containsKey(pool)) {
      poolHolders.get(pool).remove(s);
      replayed.remove(pool + "|" + s);
      Map<IpAddress, Set<String>> m = held.getOrDefault(pool, new TreeMap<>());
      m.values().forEach(h -> h.remove(s));
      m.values().removeIf(Set::isEmpty);
      if (poolHolders.get(pool).isEmpty()) {
        poolHolders.remove(pool);
        held.remove(pool);
      }
    }
    log.add(c.line() + " ReleasePool " + id);
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new AssertionError(message);
    }
  }
}
