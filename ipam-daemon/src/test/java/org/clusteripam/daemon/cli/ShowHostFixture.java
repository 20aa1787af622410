package org.clusteripam.daemon.cli;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.engine.ClusterIpam;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.StateStore;

/**
 * Two hosts with what each holds, driven through a real engine at a fixed time: a static pool both
 * hold (shared gateway, containers of each, a service VIP of each), a dynamic pool only h2 holds,
 * and a per-host pool where swarm's manager handed out two placeholders that h1 and h2 mapped to
 * addresses of their own blocks (as {@code --ipam-opt addressing=per-host} makes Docker do).
 */
final class ShowHostFixture {
  static final HostId H1 = new HostId("h1");
  static final HostId H2 = new HostId("h2");
  static final HostId MANAGER = new HostId("m1");
  static final IpPrefix SHARED = IpPrefix.parse("10.90.0.0/24");
  static final IpPrefix PER_HOST = IpPrefix.parse("10.91.0.0/24");
  static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  final ClusterIpam h1;
  final ClusterIpam h2;
  final IpPrefix h2Only;
  final IpAddress placeholder1;
  final IpAddress placeholder2;

  ShowHostFixture(StateStore store) {
    h1 = new ClusterIpam(store, IpamConfig.defaults(), H1, CLOCK);
    h2 = new ClusterIpam(store, IpamConfig.defaults(), H2, CLOCK);
    ClusterIpam manager = new ClusterIpam(store, IpamConfig.defaults(), MANAGER, CLOCK);
    String local = h1.addressSpaces().local();

    PoolId shared1 = h1.requestPool(new PoolRequest(H1, local, Optional.of(SHARED), Optional.empty(), Map.of(), false)).id();
    PoolId shared2 = h2.requestPool(new PoolRequest(H2, local, Optional.of(SHARED), Optional.empty(), Map.of(), false)).id();
    address(h1, H1, shared1, Optional.of(IpAddress.parse("10.90.0.1")), AddressKind.GATEWAY);
    address(h2, H2, shared2, Optional.of(IpAddress.parse("10.90.0.1")), AddressKind.GATEWAY);
    address(h1, H1, shared1, Optional.empty(), AddressKind.ENDPOINT);
    address(h1, H1, shared1, Optional.empty(), AddressKind.ENDPOINT);
    address(h2, H2, shared2, Optional.empty(), AddressKind.ENDPOINT);
    h1.requestServiceVip(H1, shared1, "svc1");
    h2.requestServiceVip(H2, shared2, "svc1");

    PoolId only = h2.requestPool(new PoolRequest(H2, local, Optional.empty(), Optional.empty(), Map.of(), false)).id();
    h2Only = h2.requestAddress(new AddressRequest(H2, only, Optional.empty(), AddressKind.ENDPOINT, Map.of())).pool();

    Map<String, String> perHost = Map.of("addressing", "per-host");
    PoolId global = manager.requestPool(new PoolRequest(MANAGER, manager.addressSpaces().global(), Optional.of(PER_HOST), Optional.empty(),
        perHost, false)).id();
    IpAddress gw = address(manager, MANAGER, global, Optional.empty(), AddressKind.GATEWAY);
    Map<String, String> serial = Map.of(ClusterIpam.SERIAL_OPTION, "true");
    placeholder1 = manager.requestAddress(new AddressRequest(MANAGER, global, Optional.empty(), AddressKind.ENDPOINT, serial)).address();
    placeholder2 = manager.requestAddress(new AddressRequest(MANAGER, global, Optional.empty(), AddressKind.ENDPOINT, serial)).address();
    for (ClusterIpam node : new ClusterIpam[] {h1, h2}) {
      PoolId id = node.requestPool(new PoolRequest(node.node(), local, Optional.of(PER_HOST), Optional.empty(), perHost, false)).id();
      address(node, node.node(), id, Optional.of(gw), AddressKind.GATEWAY);
      address(node, node.node(), id, Optional.of(node == h1 ? placeholder1 : placeholder2), AddressKind.ENDPOINT);
    }
  }

  private static IpAddress address(ClusterIpam engine, HostId host, PoolId pool, Optional<IpAddress> preferred, AddressKind kind) {
    return engine.requestAddress(new AddressRequest(host, pool, preferred, kind, Map.of())).address();
  }
}
