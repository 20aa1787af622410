package org.clusteripam.daemon.perhost;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.CatalogService;
import org.clusteripam.core.perhost.CatalogTask;
import org.clusteripam.core.perhost.ServicePort;
import org.clusteripam.core.store.StateStore;

/**
 * A per-host pool driven through the engine as swarm drives it: the manager allocates the network,
 * a service VIP and two task placeholders in the global space; h1 and h2 each create the network
 * locally and ask for their task's placeholder, getting addresses of their own blocks.
 */
public final class PerHostFixture {
  public static final HostId MANAGER = new HostId("m1");
  public static final HostId H1 = new HostId("h1");
  public static final HostId H2 = new HostId("h2");
  public static final IpPrefix POOL = IpPrefix.parse("10.91.0.0/24");
  static final Map<String, String> PER_HOST = Map.of("addressing", "per-host");

  public final DriverIpam manager;
  public final IpAddress vip;
  public final IpAddress t1;
  public final IpAddress t2;
  public final IpAddress a1;
  public final IpAddress a2;

  public PerHostFixture(StateStore store) {
    manager = IpamEngine.open(store, IpamConfig.defaults(), Clock.systemUTC()).driver();
    PoolId global =
        manager
            .requestPool(
                new PoolRequest(
                    MANAGER,
                    manager.addressSpaces().global(),
                    Optional.of(POOL),
                    Optional.empty(),
                    PER_HOST,
                    false))
            .id();
    IpAddress gw = address(MANAGER, global, Optional.empty(), AddressKind.GATEWAY);
    vip =
        manager
            .requestAddress(
                new AddressRequest(
                    MANAGER, global, Optional.empty(), AddressKind.ENDPOINT, true, Map.of()))
            .address();
    t1 =
        manager
            .requestAddress(
                new AddressRequest(
                    MANAGER, global, Optional.empty(), AddressKind.ENDPOINT, true, Map.of()))
            .address();
    t2 =
        manager
            .requestAddress(
                new AddressRequest(
                    MANAGER, global, Optional.empty(), AddressKind.ENDPOINT, true, Map.of()))
            .address();
    a1 = nodeRuns(H1, gw, t1);
    a2 = nodeRuns(H2, gw, t2);
  }

  private IpAddress nodeRuns(HostId h, IpAddress gw, IpAddress placeholder) {
    PoolId local =
        manager
            .requestPool(
                new PoolRequest(
                    h,
                    manager.addressSpaces().local(),
                    Optional.of(POOL),
                    Optional.empty(),
                    PER_HOST,
                    false))
            .id();
    address(h, local, Optional.of(gw), AddressKind.GATEWAY);
    return address(h, local, Optional.of(placeholder), AddressKind.ENDPOINT);
  }

  private IpAddress address(
      HostId h, PoolId pool, Optional<IpAddress> preferred, AddressKind kind) {
    return manager.requestAddress(new AddressRequest(h, pool, preferred, kind, Map.of())).address();
  }

  /** What a manager reads from Docker: service web with swarm's VIP, port 80/tcp and both tasks. */
  public Map<IpPrefix, List<CatalogService>> catalog() {
    return Map.of(
        POOL,
        List.of(
            new CatalogService(
                "sweb",
                "web",
                Optional.of(vip),
                List.of(ServicePort.parse("80/tcp")),
                List.of(new CatalogTask("tweb1", t1), new CatalogTask("tweb2", t2)))));
  }
}
