package org.clusteripam.daemon.map;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.StateStore;

/**
 * A realistic small cluster, made through real engines at a fixed time: an IPv4 supernet of sixteen
 * /24 pools (named networks of three hosts, one past 80 %, released addresses still cooling), an
 * IPv6 supernet with one pool, and outside the supernets a static pool two hosts share (gateway,
 * containers, service VIPs) and a per-host pool with swarm placeholders mapped to the hosts' own
 * blocks. The daemon serving it must be started with {@link #SERVE_ARGS}.
 */
public final class MapFixture {
  public static final IpPrefix SUPERNET = IpPrefix.parse("10.80.0.0/20");
  public static final IpPrefix SUPERNET_V6 = IpPrefix.parse("fd80:cafe::/60");
  public static final IpPrefix SHARED = IpPrefix.parse("10.90.0.0/24");
  public static final IpPrefix PER_HOST = IpPrefix.parse("10.91.0.0/24");
  public static final List<String> SERVE_ARGS =
      List.of(
          "--supernet",
          SUPERNET.toString(),
          "--supernet-v6",
          SUPERNET_V6.toString(),
          "--cooldown",
          "P1000D");
  static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  static final HostId H1 = new HostId("node-a");
  static final HostId H2 = new HostId("node-b");
  static final HostId H3 = new HostId("node-c");
  static final HostId MANAGER = new HostId("manager-1");

  /** The pools by network name, and the addresses the tests look for. */
  final Map<String, IpPrefix> pools = new java.util.TreeMap<>();

  IpAddress cooling;
  IpAddress placeholder;
  IpAddress webVip;
  PoolId webId;

  /**
   * The host each of the fixture's engines plays (an engine serves any host; the fixture keeps one
   * per host).
   */
  private static final Map<IpamEngine, HostId> HOST_OF =
      java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

  public static IpamConfig config() {
    return IpamConfig.builder()
        .supernet(SUPERNET)
        .supernet(SUPERNET_V6)
        .cooldown(Duration.ofDays(1000))
        .build();
  }

  public MapFixture(StateStore store) {
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    IpamEngine a = IpamEngine.open(store, config(), clock);
    IpamEngine b = IpamEngine.open(store, config(), clock);
    IpamEngine c = IpamEngine.open(store, config(), clock);
    IpamEngine m = IpamEngine.open(store, config(), clock);
    HOST_OF.put(a, H1);
    HOST_OF.put(b, H2);
    HOST_OF.put(c, H3);
    HOST_OF.put(m, MANAGER);
    String local = a.driver().addressSpaces().local();

    // Named dynamic networks on every host: a few containers each.
    Map<String, Integer> sizes = new java.util.LinkedHashMap<>();
    sizes.put("web", 9);
    sizes.put("db", 3);
    sizes.put("cache", 14);
    sizes.put("metrics", 1);
    sizes.put("batch", 22);
    PoolId webOfB = null;
    for (Map.Entry<String, Integer> net : sizes.entrySet()) {
      for (IpamEngine e : List.of(a, b, c)) {
        PoolGrant g =
            e.driver()
                .requestPool(
                    new PoolRequest(
                        HOST_OF.get(e),
                        local,
                        Optional.empty(),
                        Optional.empty(),
                        Map.of("network", net.getKey()),
                        false));
        if (e == a) {
          address(e, g.id(), Optional.empty(), AddressKind.GATEWAY);
          pools.put(net.getKey(), g.pool());
          if (net.getKey().equals("web")) {
            webId = g.id();
          }
        }
        if (e == b && net.getKey().equals("web")) {
          webOfB = g.id();
        }
        for (int i = 0; i < net.getValue() + (e == b ? 4 : 0); i++) {
          address(e, g.id(), Optional.empty(), AddressKind.ENDPOINT);
        }
      }
    }
    // One network past the warning level: node-a fills its block and claims more.
    PoolGrant full =
        a.driver()
            .requestPool(
                new PoolRequest(
                    H1,
                    local,
                    Optional.empty(),
                    Optional.empty(),
                    Map.of("network", "ingest"),
                    false));
    address(a, full.id(), Optional.empty(), AddressKind.GATEWAY);
    for (int i = 0; i < 212; i++) {
      address(a, full.id(), Optional.empty(), AddressKind.ENDPOINT);
    }
    pools.put("ingest", full.pool());
    // Released addresses still in their cooldown.
    IpAddress c1 = address(b, webOfB, Optional.empty(), AddressKind.ENDPOINT);
    IpAddress c2 = address(b, webOfB, Optional.empty(), AddressKind.ENDPOINT);
    b.driver().releaseAddress(H2, webOfB, c1);
    b.driver().releaseAddress(H2, webOfB, c2);
    cooling = c1;
    webVip = a.perHost().requestServiceVip(H1, webId, "frontend").address();
    a.perHost().requestServiceVip(H1, webId, "api");

    // IPv6: one dynamic pool.
    PoolId v6 =
        a.driver()
            .requestPool(
                new PoolRequest(
                    H1, local, Optional.empty(), Optional.empty(), Map.of("network", "web6"), true))
            .id();
    for (int i = 0; i < 5; i++) {
      address(a, v6, Optional.empty(), AddressKind.ENDPOINT);
    }

    // Outside the supernets: a static pool two hosts share, with VIPs.
    PoolId s1 =
        a.driver()
            .requestPool(
                new PoolRequest(
                    H1,
                    local,
                    Optional.of(SHARED),
                    Optional.empty(),
                    Map.of("network", "shared"),
                    false))
            .id();
    PoolId s2 =
        b.driver()
            .requestPool(
                new PoolRequest(
                    H2,
                    local,
                    Optional.of(SHARED),
                    Optional.empty(),
                    Map.of("network", "shared"),
                    false))
            .id();
    address(a, s1, Optional.of(IpAddress.parse("10.90.0.1")), AddressKind.GATEWAY);
    address(b, s2, Optional.of(IpAddress.parse("10.90.0.1")), AddressKind.GATEWAY);
    for (int i = 0; i < 6; i++) {
      address(a, s1, Optional.empty(), AddressKind.ENDPOINT);
      address(b, s2, Optional.empty(), AddressKind.ENDPOINT);
    }
    a.perHost().requestServiceVip(H1, s1, "search");
    b.perHost().requestServiceVip(H2, s2, "search");
    pools.put("shared", SHARED);

    // A per-host pool: swarm's manager hands out placeholders, each node maps its own to an address
    // of its blocks.
    Map<String, String> perHost = Map.of("addressing", "per-host", "network", "overlay-ph");
    PoolId g =
        m.driver()
            .requestPool(
                new PoolRequest(
                    MANAGER,
                    m.driver().addressSpaces().global(),
                    Optional.of(PER_HOST),
                    Optional.empty(),
                    perHost,
                    false))
            .id();
    IpAddress gw = address(m, g, Optional.empty(), AddressKind.GATEWAY);
    for (IpamEngine node : List.of(a, b)) {
      PoolId id =
          node.driver()
              .requestPool(
                  new PoolRequest(
                      HOST_OF.get(node),
                      local,
                      Optional.of(PER_HOST),
                      Optional.empty(),
                      perHost,
                      false))
              .id();
      address(node, id, Optional.of(gw), AddressKind.GATEWAY);
      for (int i = 0; i < 3; i++) {
        IpAddress ph =
            m.driver()
                .requestAddress(
                    new AddressRequest(
                        MANAGER, g, Optional.empty(), AddressKind.ENDPOINT, true, Map.of()))
                .address();
        address(node, id, Optional.of(ph), AddressKind.ENDPOINT);
        placeholder = ph;
      }
    }
    pools.put("overlay-ph", PER_HOST);
  }

  private static IpAddress address(
      IpamEngine e, PoolId pool, Optional<IpAddress> preferred, AddressKind kind) {
    return e.driver()
        .requestAddress(new AddressRequest(HOST_OF.get(e), pool, preferred, kind, Map.of()))
        .address();
  }
}
