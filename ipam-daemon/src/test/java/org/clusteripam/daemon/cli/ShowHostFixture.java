package org.clusteripam.daemon.cli;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
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

  final IpamEngine h1;
  final IpamEngine h2;
  final IpPrefix h2Only;
  final IpAddress placeholder1;
  final IpAddress placeholder2;

  ShowHostFixture(StateStore store) {
    h1 = IpamEngine.open(store, IpamConfig.defaults(), CLOCK);
    h2 = IpamEngine.open(store, IpamConfig.defaults(), CLOCK);
    IpamEngine manager = IpamEngine.open(store, IpamConfig.defaults(), CLOCK);
    String local = h1.driver().addressSpaces().local();

    PoolId shared1 =
        h1.driver()
            .requestPool(
                new PoolRequest(H1, local, Optional.of(SHARED), Optional.empty(), Map.of(), false))
            .id();
    PoolId shared2 =
        h2.driver()
            .requestPool(
                new PoolRequest(H2, local, Optional.of(SHARED), Optional.empty(), Map.of(), false))
            .id();
    address(h1, H1, shared1, Optional.of(IpAddress.parse("10.90.0.1")), AddressKind.GATEWAY);
    address(h2, H2, shared2, Optional.of(IpAddress.parse("10.90.0.1")), AddressKind.GATEWAY);
    address(h1, H1, shared1, Optional.empty(), AddressKind.ENDPOINT);
    address(h1, H1, shared1, Optional.empty(), AddressKind.ENDPOINT);
    address(h2, H2, shared2, Optional.empty(), AddressKind.ENDPOINT);
    h1.perHost().requestServiceVip(H1, shared1, "svc1");
    h2.perHost().requestServiceVip(H2, shared2, "svc1");

    PoolId only =
        h2.driver()
            .requestPool(
                new PoolRequest(H2, local, Optional.empty(), Optional.empty(), Map.of(), false))
            .id();
    h2Only =
        h2.driver()
            .requestAddress(
                new AddressRequest(H2, only, Optional.empty(), AddressKind.ENDPOINT, Map.of()))
            .pool();

    Map<String, String> perHost = Map.of("addressing", "per-host");
    PoolId global =
        manager
            .driver()
            .requestPool(
                new PoolRequest(
                    MANAGER,
                    manager.driver().addressSpaces().global(),
                    Optional.of(PER_HOST),
                    Optional.empty(),
                    perHost,
                    false))
            .id();
    IpAddress gw = address(manager, MANAGER, global, Optional.empty(), AddressKind.GATEWAY);
    placeholder1 =
        manager
            .driver()
            .requestAddress(
                new AddressRequest(
                    MANAGER, global, Optional.empty(), AddressKind.ENDPOINT, true, Map.of()))
            .address();
    placeholder2 =
        manager
            .driver()
            .requestAddress(
                new AddressRequest(
                    MANAGER, global, Optional.empty(), AddressKind.ENDPOINT, true, Map.of()))
            .address();
    for (IpamEngine node : new IpamEngine[] {h1, h2}) {
      HostId host = node == h1 ? H1 : H2;
      PoolId id =
          node.driver()
              .requestPool(
                  new PoolRequest(
                      host, local, Optional.of(PER_HOST), Optional.empty(), perHost, false))
              .id();
      address(node, host, id, Optional.of(gw), AddressKind.GATEWAY);
      address(
          node,
          host,
          id,
          Optional.of(node == h1 ? placeholder1 : placeholder2),
          AddressKind.ENDPOINT);
    }
  }

  private static IpAddress address(
      IpamEngine engine,
      HostId host,
      PoolId pool,
      Optional<IpAddress> preferred,
      AddressKind kind) {
    return engine
        .driver()
        .requestAddress(new AddressRequest(host, pool, preferred, kind, Map.of()))
        .address();
  }
}
