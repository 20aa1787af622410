package org.clusteripam.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.CatalogService;
import org.clusteripam.core.perhost.CatalogTask;
import org.clusteripam.core.perhost.PlaceholderMapping;
import org.clusteripam.core.perhost.ServicePort;
import org.clusteripam.core.store.StoreCorruptException;
import org.junit.jupiter.api.Test;

class PerHostCodecTest {
  static final IpPrefix POOL = IpPrefix.parse("10.91.0.0/24");

  @Test
  void mappingsCatalogEntriesAndMarkedAllocationsRoundTrip() {
    PlaceholderMapping m =
        new PlaceholderMapping(
            POOL,
            IpAddress.parse("10.91.0.200"),
            new HostId("h1"),
            IpAddress.parse("10.91.0.66"),
            42);
    assertThat(StateCodec.decodeMapping("k", StateCodec.encode(m))).isEqualTo(m);

    CatalogService s =
        new CatalogService(
            "svc1",
            "web",
            Optional.of(IpAddress.parse("10.91.0.193")),
            List.of(ServicePort.parse("8080/udp"), ServicePort.parse("80")),
            List.of(
                new CatalogTask("t2", IpAddress.parse("10.91.0.195")),
                new CatalogTask("t1", IpAddress.parse("10.91.0.194"))));
    assertThat(StateCodec.decodeCatalog("k", StateCodec.encode(s))).isEqualTo(s);
    CatalogService dnsrr = new CatalogService("svc2", "db", Optional.empty(), List.of(), List.of());
    assertThat(StateCodec.decodeCatalog("k", StateCodec.encode(dnsrr))).isEqualTo(dnsrr);

    TreeMap<IpAddress, Allocation> allocs = new TreeMap<>();
    allocs.put(
        IpAddress.parse("10.91.0.66"),
        new Allocation(AddressKind.ENDPOINT, new TreeSet<>(List.of(Holder.of("h1"))), 7)
            .withPlaceholder(IpAddress.parse("10.91.0.200")));
    allocs.put(
        IpAddress.parse("10.91.0.67"),
        new Allocation(AddressKind.ENDPOINT, new TreeSet<>(List.of(Holder.of("h1"))), 8));
    Block b =
        Block.of(
            POOL,
            IpPrefix.parse("10.91.0.64/26"),
            Optional.empty(),
            Optional.of(Holder.of("h1")),
            allocs,
            0,
            new TreeMap<>());
    byte[] bytes = StateCodec.encode(b);
    assertThat(StateCodec.decodeBlock("k", bytes)).isEqualTo(b);
    assertThat(
            StateCodec.decodeBlock("k", bytes)
                .allocation(IpAddress.parse("10.91.0.67"))
                .orElseThrow()
                .placeholder())
        .as("an unmarked allocation stays unmarked")
        .isEmpty();
  }

  @Test
  void corruptValuesNameTheKey() {
    String outside =
        "{\"schema\":1,\"pool\":\"10.91.0.0/24\",\"placeholder\":\"10.92.0.1\",\"host\":\"h1\",\"actual\":\"10.91.0.5\",\"since\":1}";
    assertThatThrownBy(
            () ->
                StateCodec.decodeMapping(
                    "placeholders/x", outside.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(StoreCorruptException.class)
        .hasMessageContaining("placeholders/x")
        .hasMessageContaining("not inside pool");
    String badPort =
        "{\"schema\":1,\"serviceId\":\"s\",\"name\":\"n\",\"vip\":null,\"ports\":[\"http\"],\"tasks\":[]}";
    assertThatThrownBy(
            () -> StateCodec.decodeCatalog("catalog/x", badPort.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(StoreCorruptException.class)
        .hasMessageContaining("catalog/x")
        .hasMessageContaining("ports");
    String badHost =
        "{\"schema\":1,\"pool\":\"10.91.0.0/24\",\"placeholder\":\"10.91.0.200\",\"host\":\"a b\",\"actual\":\"10.91.0.5\",\"since\":1}";
    assertThatThrownBy(
            () ->
                StateCodec.decodeMapping(
                    "placeholders/y", badHost.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(StoreCorruptException.class)
        .hasMessageContaining("placeholders/y");
  }
}
