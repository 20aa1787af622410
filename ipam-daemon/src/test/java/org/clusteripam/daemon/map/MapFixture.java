package org.clusteripam.daemon.map;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.engine.ClusterIpam;
import org.clusteripam.core.engine.IpamConfig;
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
  public static final List<String> SERVE_ARGS = List.of("--supernet", SUPERNET.toString(), "--supernet-v6", SUPERNET_V6.toString(), "--cooldown", "P1000D");
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

  public static IpamConfig config() {
    return IpamConfig.builder().supernetV4(SUPERNET).supernetV6(Optional.of(SUPERNET_V6)).cooldown(Duration.ofDays(1000)).build();
  }

  public MapFixture(StateStore store) {
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    ClusterIpam a = new ClusterIpam(store, config(), H1, clock);
    ClusterIpam b = new ClusterIpam(store, config(), H2, clock);
    ClusterIpam c = new ClusterIpam(store, config(), H3, clock);
    ClusterIpam m = new ClusterIpam(store, config(), MANAGER, clock);
    String local = a.addressSpaces().local();

    // Named dynamic networks on every host: a few containers each.
    Map<String, Integer> sizes = new java.util.LinkedHashMap<>();
    sizes.put("web", 9);
    sizes.put("db", 3);
    sizes.put("cache", 14);
    sizes.put("metrics", 1);
    sizes.put("batch", 22);
    PoolId webOfB = null;
    for (Map.Entry<String, Integer> net : sizes.entrySet()) {
      for (ClusterIpam e : List.of(a, b, c)) {
        PoolGrant g = e.requestPool(new PoolRequest(e.node(), local, Optional.empty(), Optional.empty(), Map.of("network", net.getKey()), false));
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
    PoolGrant full = a.requestPool(new PoolRequest(H1, local, Optional.empty(), Optional.empty(), Map.of("network", "ingest"), false));
    address(a, full.id(), Optional.empty(), AddressKind.GATEWAY);
    for (int i = 0; i < 212; i++) {
      address(a, full.id(), Optional.empty(), AddressKind.ENDPOINT);
    }
    pools.put("ingest", full.pool());
    // Released addresses still in their cooldown.
    IpAddress c1 = address(b, webOfB, Optional.empty(), AddressKind.ENDPOINT);
    IpAddress c2 = address(b, webOfB, Optional.empty(), AddressKind.ENDPOINT);
    b.releaseAddress(H2, webOfB, c1);
    b.releaseAddress(H2, webOfB, c2);
    cooling = c1;
    webVip = a.requestServiceVip(H1, webId, "frontend").address();
    a.requestServiceVip(H1, webId, "api");

    // IPv6: one dynamic pool.
    PoolId v6 = a.requestPool(new PoolRequest(H1, local, Optional.empty(), Optional.empty(), Map.of("network", "web6"), true)).id();
    for (int i = 0; i < 5; i++) {
      address(a, v6, Optional.empty(), AddressKind.ENDPOINT);
    }

    // Outside the supernets: a static pool two hosts share, with VIPs.
    PoolId s1 = a.requestPool(new PoolRequest(H1, local, Optional.of(SHARED), Optional.empty(), Map.of("network", "shared"), false)).id();
    PoolId s2 = b.requestPool(new PoolRequest(H2, local, Optional.of(SHARED), Optional.empty(), Map.of("network", "shared"), false)).id();
    address(a, s1, Optional.of(IpAddress.parse("10.90.0.1")), AddressKind.GATEWAY);
    address(b, s2, Optional.of(IpAddress.parse("10.90.0.1")), AddressKind.GATEWAY);
    for (int i = 0; i < 6; i++) {
      address(a, s1, Optional.empty(), AddressKind.ENDPOINT);
      address(b, s2, Optional.empty(), AddressKind.ENDPOINT);
    }
    a.requestServiceVip(H1, s1, "search");
    b.requestServiceVip(H2, s2, "search");
    pools.put("shared", SHARED);

    // A per-host pool: swarm's manager hands out placeholders, each node maps its own to an address of its blocks.
    Map<String, String> perHost = Map.of("addressing", "per-host", "network", "overlay-ph");
    PoolId g = m.requestPool(new PoolRequest(MANAGER, m.addressSpaces().global(), Optional.of(PER_HOST), Optional.empty(), perHost, false)).id();
    IpAddress gw = address(m, g, Optional.empty(), AddressKind.GATEWAY);
    Map<String, String> serial = Map.of(ClusterIpam.SERIAL_OPTION, "true");
    for (ClusterIpam node : List.of(a, b)) {
      PoolId id = node.requestPool(new PoolRequest(node.node(), local, Optional.of(PER_HOST), Optional.empty(), perHost, false)).id();
      address(node, id, Optional.of(gw), AddressKind.GATEWAY);
      for (int i = 0; i < 3; i++) {
        IpAddress ph = m.requestAddress(new AddressRequest(MANAGER, g, Optional.empty(), AddressKind.ENDPOINT, serial)).address();
        address(node, id, Optional.of(ph), AddressKind.ENDPOINT);
        placeholder = ph;
      }
    }
    pools.put("overlay-ph", PER_HOST);
  }

  private static IpAddress address(ClusterIpam e, PoolId pool, Optional<IpAddress> preferred, AddressKind kind) {
    return e.requestAddress(new AddressRequest(e.node(), pool, preferred, kind, Map.of())).address();
  }
}
