package org.clusteripam.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.clusteripam.core.alloc.FamilyCarving;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.StoreCorruptException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StateCodecTest {
  static IpPrefix p(String s) {
    return IpPrefix.parse(s);
  }

  static IpAddress a(String s) {
    return IpAddress.parse(s);
  }

  static Block block() {
    TreeMap<IpAddress, Allocation> allocs = new TreeMap<>();
    allocs.put(
        a("10.80.3.65"),
        new Allocation(
            AddressKind.GATEWAY,
            new TreeSet<>(List.of(Holder.of("h1"), Holder.GLOBAL)),
            1700000000000L));
    allocs.put(
        a("10.80.3.66"),
        new Allocation(
            AddressKind.ENDPOINT, new TreeSet<>(List.of(Holder.of("h1"))), 1700000000001L));
    return Block.of(
        p("10.80.3.0/24"),
        p("10.80.3.64/26"),
        Optional.empty(),
        Optional.of(Holder.of("h1")),
        allocs,
        3,
        new TreeMap<>(Map.of(a("10.80.3.70"), 1700000000002L)));
  }

  static PoolRecord pool() {
    return new PoolRecord(
        p("10.6.0.0/16"),
        Optional.of(p("10.6.5.0/24")),
        Optional.of("blue"),
        false,
        Map.of("foo", "bar"),
        26,
        Optional.of(a("10.6.0.254")));
  }

  @Test
  void everyRecordRoundTrips() {
    CarvingConfig c =
        new CarvingConfig(
            FamilyCarving.of(p("10.80.0.0/12"), 24, 26),
            FamilyCarving.of(p("fd80:cafe::/48"), 64, 112));
    assertThat(StateCodec.decodeConfig("config", StateCodec.encode(c))).isEqualTo(c);
    CarvingConfig noV6 =
        new CarvingConfig(c.v4(), new FamilyCarving(IpFamily.IPV6, Optional.empty(), 64, 112));
    assertThat(StateCodec.decodeConfig("config", StateCodec.encode(noV6))).isEqualTo(noV6);
    assertThat(StateCodec.decodePool("pools/x", StateCodec.encode(pool().marked(0))))
        .isEqualTo(pool().marked(0));
    // A mark's token survives the round trip (a deletion step compares it); 0 is a mark written
    // without one, and an unmarked pool has none.
    assertThat(StateCodec.decodePool("pools/x", StateCodec.encode(pool().marked(-42L))))
        .isEqualTo(pool().marked(-42L));
    assertThat(
            new String(
                StateCodec.encode(pool().marked(0)), java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"deleting\":true")
        .doesNotContain("\"mark\"");
    assertThat(pool().marked(7).unmarked()).isEqualTo(pool());
    HolderRecord hr = new HolderRecord(Holder.of("h1"), Optional.of(1700000000005L));
    assertThat(StateCodec.decodeHolder("holders/x/h1", StateCodec.encode(hr))).isEqualTo(hr);
    assertThat(
            StateCodec.decodeHolder(
                    "holders/x/h1",
                    StateCodec.encode(new HolderRecord(Holder.of("h1"), Optional.empty())))
                .replayFrom())
        .isEmpty();
    AffinityRecord af =
        new AffinityRecord(
            Holder.of("h1"), new TreeSet<>(List.of(p("10.6.5.0/26"), p("10.6.5.64/26"))));
    assertThat(StateCodec.decodeAffinity("affinity/x/h1", StateCodec.encode(af))).isEqualTo(af);
    assertThat(StateCodec.decodeCarve("carve/v4", StateCodec.encode(CarveRecord.legacy(7, 12))))
        .isEqualTo(CarveRecord.legacy(7, 12));
    assertThat(StateCodec.decodeName("names/v4/blue", StateCodec.encodeName(p("10.80.1.0/24"))))
        .isEqualTo(p("10.80.1.0/24"));
    assertThat(StateCodec.decodePool("pools/x", StateCodec.encode(pool()))).isEqualTo(pool());
    assertThat(StateCodec.decodeBlock("blocks/x", StateCodec.encode(block()))).isEqualTo(block());
    HostRecord h =
        new HostRecord(Holder.of("h1"), new TreeSet<>(List.of(p("10.6.0.0/16"), p("fd00::/64"))));
    assertThat(StateCodec.decodeHost("hosts/h1", StateCodec.encode(h))).isEqualTo(h);
  }

  @Test
  void blocksAreWrittenInTheBinaryLayout() {
    // The layout documented in docs/state-layout.md, byte for byte: a change of it needs a new
    // version byte.
    assertThat(java.util.HexFormat.of().formatHex(StateCodec.encode(block())))
        .isEqualTo(
            "b1010004180a5003001a0a50034002683103020740676c6f62616c02683180a0abfef9620201000102000100000000010102010604");
    assertThat(StateCodec.schemaOf("blocks/x", StateCodec.encode(block())))
        .isEqualTo(StateCodec.SCHEMA);
  }

  @Test
  void poolRecordsOfSchemaOneDecodeTooAndTheDeletionMarkIsWrittenOnlyWhenSet() {
    String v2 = new String(StateCodec.encode(pool()), StandardCharsets.UTF_8);
    assertThat(v2)
        .isEqualTo(
            "{\"schema\":2,\"prefix\":\"10.6.0.0/16\",\"ipRange\":\"10.6.5.0/24\",\"name\":\"blue\",\"dynamic\":false,"
                + "\"options\":{\"foo\":\"bar\"},\"blockLength\":26,\"gateway\":\"10.6.0.254\"}");
    String older =
        "{\"schema\":1,\"prefix\":\"10.6.0.0/16\",\"ipRange\":\"10.6.5.0/24\",\"name\":\"blue\",\"dynamic\":false,"
            + "\"options\":{\"foo\":\"bar\"},\"blockLength\":26,\"holders\":[\"h1\",\"h2\"],"
            + "\"blocks\":{\"10.6.5.0/26\":\"h1\",\"10.6.5.64/26\":\"\"},\"gateway\":\"10.6.0.254\",\"replayFrom\":{\"h1\":1700000000005}}";
    assertThat(StateCodec.decodePool("pools/x", older.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(pool());
    StateCodec.Schema1Pool s1 =
        StateCodec.decodePoolSchema1("pools/x", older.getBytes(StandardCharsets.UTF_8));
    assertThat(s1.holders()).containsExactly("h1", "h2");
    assertThat(s1.blocks()).containsEntry(p("10.6.5.64/26"), "");
    assertThat(s1.replayFrom()).containsEntry("h1", 1700000000005L);
    byte[] bad = older.replace("1700000000005", "\"soon\"").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> StateCodec.decodePoolSchema1("pools/x", bad))
        .isInstanceOf(StoreCorruptException.class)
        .hasMessageContaining("pools/x")
        .hasMessageContaining("\"h1\" must be an integer");
    assertThatThrownBy(
            () ->
                StateCodec.decodeHolder(
                    "holders/x/h1",
                    "{\"schema\":1,\"holder\":\"h1\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(StoreCorruptException.class)
        .hasMessageContaining("schema version 1");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "not json",
        "[]",
        "{}",
        "{\"schema\":3}",
        "{\"schema\":\"1\"}",
        "{\"schema\":1,\"pool\":\"10.80.3.0/24\"}",
        "{\"schema\":1,\"pool\":\"10.80.3.0/24\",\"block\":\"10.80.4.0/26\",\"ipRange\":null,\"owner\":\"h1\",\"serialCursor\":0,\"allocations\":[],\"cooling\":[]}",
        "{\"schema\":1,\"pool\":\"10.80.3.0/24\",\"block\":\"10.80.3.0/26\",\"ipRange\":null,\"owner\":\"h1\",\"serialCursor\":0,\"allocations\":[{\"address\":\"10.80.3.99\",\"kind\":\"endpoint\",\"holders\":[],\"since\":0}],\"cooling\":[]}",
        "{\"schema\":1,\"pool\":\"10.80.3.0/24\",\"block\":\"10.80.3.0/26\",\"ipRange\":null,\"owner\":\"h1\",\"serialCursor\":0,\"allocations\":[{\"address\":\"10.80.3.9\",\"kind\":\"other\",\"holders\":[],\"since\":0}],\"cooling\":[]}",
        "{\"schema\":1,\"pool\":\"10.80.3.7/24\",\"block\":\"10.80.3.0/26\",\"ipRange\":null,\"owner\":\"h1\",\"serialCursor\":0,\"allocations\":[],\"cooling\":[]}",
        "{\"schema\":1,\"pool\":\"10.80.3.0/24\",\"block\":\"10.80.3.0/26\",\"ipRange\":null,\"owner\":7,\"serialCursor\":0,\"allocations\":[],\"cooling\":[]}",
        "{\"schema\":1,\"pool\":\"10.80.3.0/24\",\"block\":\"10.80.3.0/26\",\"ipRange\":null,\"owner\":\"h1\",\"serialCursor\":\"x\",\"allocations\":[],\"cooling\":[]}",
        "{\"schema\":1,\"pool\":\"10.80.3.0/24\",\"block\":\"10.80.3.0/26\",\"ipRange\":null,\"owner\":\"h1\",\"serialCursor\":0,\"allocations\":{},\"cooling\":[]}",
      })
  void corruptBlocksNameTheKey(String text) {
    assertThatThrownBy(
            () -> StateCodec.decodeBlock("blocks/p/b", text.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            StoreCorruptException.class, e -> assertThat(e.key()).isEqualTo("blocks/p/b"))
        .hasMessageStartingWith("corrupt data at blocks/p/b: ");
  }

  /**
   * The per-family record is only the in-memory shape: the stored keys are those every build wrote.
   */
  @Test
  void theConfigKeepsItsStoredFieldsPerFamily() {
    String stored =
        "{\"schema\":2,\"supernetV4\":\"10.64.0.0/12\",\"supernetV6\":null,\"networkLengthV4\":22,"
            + "\"networkLengthV6\":64,\"blockLengthV4\":27,\"blockLengthV6\":112}";
    CarvingConfig c = StateCodec.decodeConfig("config", stored.getBytes(StandardCharsets.UTF_8));
    assertThat(c.v4()).isEqualTo(FamilyCarving.of(p("10.64.0.0/12"), 22, 27));
    assertThat(c.v6()).isEqualTo(new FamilyCarving(IpFamily.IPV6, Optional.empty(), 64, 112));
    assertThat(new String(StateCodec.encode(c), StandardCharsets.UTF_8)).isEqualTo(stored);
    String schema1 =
        "{\"schema\":1,\"supernetV4\":\"10.80.0.0/12\",\"supernetV6\":\"fd80:cafe::/48\",\"networkLengthV4\":24,"
            + "\"networkLengthV6\":64,\"blockLengthV4\":26,\"blockLengthV6\":112}";
    assertThat(StateCodec.decodeConfig("config", schema1.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(
            new CarvingConfig(
                FamilyCarving.of(p("10.80.0.0/12"), 24, 26),
                FamilyCarving.of(p("fd80:cafe::/48"), 64, 112)));
    String swapped = stored.replace("\"supernetV6\":null", "\"supernetV6\":\"10.1.0.0/16\"");
    assertThatThrownBy(
            () -> StateCodec.decodeConfig("config", swapped.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(StoreCorruptException.class)
        .hasMessageContaining("config")
        .hasMessageContaining("not IPv6");
  }

  @Test
  void otherRecordsReportTheirKeyToo() {
    byte[] junk = "{\"schema\":1}".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> StateCodec.decodePool("pools/a", junk))
        .hasMessageContaining("pools/a")
        .hasMessageContaining("missing field");
    assertThatThrownBy(
            () ->
                StateCodec.decodeCarve(
                    "carve/v4", "{\"schema\":2}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("carve/v4");
    assertThatThrownBy(() -> StateCodec.decodeConfig("config", junk))
        .hasMessageContaining("config");
    assertThatThrownBy(() -> StateCodec.decodeHost("hosts/h", junk))
        .hasMessageContaining("hosts/h");
  }

  @Provide
  Arbitrary<byte[]> garbage() {
    Arbitrary<byte[]> mutated =
        Arbitraries.integers()
            .between(0, 400)
            .flatMap(
                i ->
                    Arbitraries.integers()
                        .between(0, 255)
                        .map(
                            b -> {
                              byte[] x = StateCodec.encode(block());
                              x[i % x.length] = (byte) (int) b;
                              return x;
                            }));
    return Arbitraries.oneOf(mutated, Arbitraries.bytes().array(byte[].class).ofMaxSize(200));
  }

  @Property(tries = 500)
  void anyBytesEitherDecodeOrFailNamingTheKey(@ForAll("garbage") byte[] data) {
    try {
      Block b = StateCodec.decodeBlock("blocks/k", data);
      assertThat(StateCodec.decodeBlock("blocks/k", StateCodec.encode(b))).isEqualTo(b);
    } catch (StoreCorruptException e) {
      assertThat(e.key()).isEqualTo("blocks/k");
    }
  }
}
