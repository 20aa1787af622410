package org.clusteripam.core.migrate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
import org.clusteripam.core.perhost.CatalogService;
import org.clusteripam.core.perhost.CatalogTask;
import org.clusteripam.core.perhost.ServicePort;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.testing.MutableClock;

/**
 * Wrote {@code schema1/store.json} with the schema-1 engine (run once, before layout v2 replaced
 * it; kept to show how the fixture was made): pools with and without ip-range, a shared named pool
 * held by three hosts, an IPv6 pool, a per-host pool with placeholders, mappings and a catalog,
 * service VIPs, cooling addresses, a replay window, serial allocation and an ownerless block.
 */
public final class Schema1FixtureGenerator {
  private Schema1FixtureGenerator() {}

  public static void main(String[] args) throws Exception {
    InMemoryStateStore store = new InMemoryStateStore();
    MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));
    IpamConfig cfg = IpamConfig.builder().cooldown(Duration.ofMinutes(10)).build();
    HostId h1 = new HostId("h1");
    HostId h2 = new HostId("h2");
    HostId h3 = new HostId("h3");
    HostId m1 = new HostId("m1");
    IpamEngine e1 = IpamEngine.open(store, cfg, clock);
    IpamEngine e2 = IpamEngine.open(store, cfg, clock);
    IpamEngine e3 = IpamEngine.open(store, cfg, clock);
    IpamEngine em = IpamEngine.open(store, cfg, clock);

    // A static pool with an ip-range, a gateway and a few addresses, one released (cooling).
    PoolId s =
        e1.driver()
            .requestPool(
                new PoolRequest(
                    h1,
                    "ClusterIpamLocal",
                    Optional.of(IpPrefix.parse("10.6.0.0/16")),
                    Optional.of(IpPrefix.parse("10.6.5.0/24")),
                    Map.of("foo", "bar"),
                    false))
            .id();
    gw(e1, h1, s, Optional.of(IpAddress.parse("10.6.0.254")));
    IpAddress a1 = dyn(e1, h1, s, Map.of());
    dyn(e1, h1, s, Map.of());
    dyn(e1, h1, s, Map.of());
    e1.driver().releaseAddress(h1, s, a1);

    // A shared named pool: three hosts, each with its own block; h3 leaves (its block goes
    // ownerless
    // while h1 still holds an address borrowed... here: its block is emptied and given back).
    PoolId n1 = named(e1, h1, "blue");
    gw(e1, h1, n1, Optional.empty());
    PoolId n2 = named(e2, h2, "blue");
    PoolId n3 = named(e3, h3, "blue");
    for (int i = 0; i < 5; i++) {
      dyn(e1, h1, n1, Map.of());
      dyn(e2, h2, n2, Map.of());
    }
    IpAddress h3a = dyn(e3, h3, n3, Map.of());
    IpAddress h3b = dyn(e3, h3, n3, Map.of());
    e3.driver().releaseAddress(h3, n3, h3a);
    e1.driver()
        .requestAddress(
            new AddressRequest(
                h1,
                n1,
                Optional.of(IpAddress.parse(h3b.toString()).next()),
                AddressKind.ENDPOINT,
                Map.of()));
    e3.driver().releasePool(h3, n3); // h3's block keeps h1's address: ownerless
    e2.perHost().requestServiceVip(h2, n2, "svc1");
    // A replay window: h2 re-requests the pool it holds.
    clock.advance(Duration.ofSeconds(5));
    named(e2, h2, "blue");

    // A dynamic IPv6 pool.
    PoolId v6 =
        e1.driver()
            .requestPool(
                new PoolRequest(
                    h1, "ClusterIpamLocal", Optional.empty(), Optional.empty(), Map.of(), true))
            .id();
    dyn(e1, h1, v6, Map.of());
    dyn(e1, h1, v6, Map.of());

    // A swarm network in cluster mode: global space, serial allocations, a node's reference.
    PoolId g =
        em.driver()
            .requestPool(
                new PoolRequest(
                    m1,
                    "ClusterIpamGlobal",
                    Optional.of(IpPrefix.parse("10.7.0.0/24")),
                    Optional.empty(),
                    Map.of(),
                    false))
            .id();
    gw(em, m1, g, Optional.empty());
    IpAddress t1 = serialDyn(em, m1, g);
    serialDyn(em, m1, g);
    PoolId gl =
        e1.driver()
            .requestPool(
                new PoolRequest(
                    h1,
                    "ClusterIpamLocal",
                    Optional.of(IpPrefix.parse("10.7.0.0/24")),
                    Optional.empty(),
                    Map.of(),
                    false))
            .id();
    e1.driver()
        .requestAddress(
            new AddressRequest(h1, gl, Optional.of(t1), AddressKind.ENDPOINT, Map.of()));

    // A per-host pool: manager placeholders, node mappings, a catalog, per-host VIPs.
    IpPrefix ph = IpPrefix.parse("10.94.0.0/24");
    Map<String, String> perHost = Map.of("addressing", "per-host");
    PoolId pg =
        em.driver()
            .requestPool(
                new PoolRequest(
                    m1, "ClusterIpamGlobal", Optional.of(ph), Optional.empty(), perHost, false))
            .id();
    gw(em, m1, pg, Optional.empty());
    IpAddress p1 = serialDyn(em, m1, pg);
    IpAddress p2 = serialDyn(em, m1, pg);
    PoolId pl1 =
        e1.driver()
            .requestPool(
                new PoolRequest(
                    h1, "ClusterIpamLocal", Optional.of(ph), Optional.empty(), perHost, false))
            .id();
    PoolId pl2 =
        e2.driver()
            .requestPool(
                new PoolRequest(
                    h2, "ClusterIpamLocal", Optional.of(ph), Optional.empty(), perHost, false))
            .id();
    e1.driver()
        .requestAddress(
            new AddressRequest(h1, pl1, Optional.of(p1), AddressKind.ENDPOINT, Map.of()));
    e2.driver()
        .requestAddress(
            new AddressRequest(h2, pl2, Optional.of(p2), AddressKind.ENDPOINT, Map.of()));
    em.perHost()
        .publishCatalog(
            Map.of(
                ph,
                List.of(
                    new CatalogService(
                        "svcweb",
                        "web",
                        Optional.of(IpAddress.parse("10.94.0.250")),
                        List.of(ServicePort.parse("80/tcp")),
                        List.of(new CatalogTask("task1", p1), new CatalogTask("task2", p2))))));
    e1.perHost().syncServiceVips(h1);
    e2.perHost().syncServiceVips(h2);

    ObjectMapper mapper = new ObjectMapper();
    ObjectNode out = mapper.createObjectNode();
    store.list("").forEach((k, v) -> out.put(k, new String(v.value(), StandardCharsets.UTF_8)));
    Path file =
        Path.of(args.length > 0 ? args[0] : "ipam-core/src/test/resources/schema1/store.json");
    Files.writeString(file, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(out) + "\n");
    System.out.println("wrote " + out.size() + " keys to " + file);
  }

  private static PoolId named(IpamEngine e, HostId h, String name) {
    return e.driver()
        .requestPool(
            new PoolRequest(
                h,
                "ClusterIpamLocal",
                Optional.empty(),
                Optional.empty(),
                Map.of("network", name),
                false))
        .id();
  }

  private static IpAddress serialDyn(IpamEngine e, HostId h, PoolId p) {
    return e.driver()
        .requestAddress(
            new AddressRequest(h, p, Optional.empty(), AddressKind.ENDPOINT, true, Map.of()))
        .address();
  }

  private static IpAddress dyn(IpamEngine e, HostId h, PoolId p, Map<String, String> opts) {
    return e.driver()
        .requestAddress(new AddressRequest(h, p, Optional.empty(), AddressKind.ENDPOINT, opts))
        .address();
  }

  private static IpAddress gw(IpamEngine e, HostId h, PoolId p, Optional<IpAddress> pref) {
    return e.driver()
        .requestAddress(new AddressRequest(h, p, pref, AddressKind.GATEWAY, Map.of()))
        .address();
  }
}
