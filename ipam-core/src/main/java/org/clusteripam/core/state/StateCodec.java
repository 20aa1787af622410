package org.clusteripam.core.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.clusteripam.core.alloc.FamilyCarving;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.CatalogService;
import org.clusteripam.core.perhost.CatalogTask;
import org.clusteripam.core.perhost.PlaceholderMapping;
import org.clusteripam.core.perhost.ServicePort;
import org.clusteripam.core.store.StoreCorruptException;

/**
 * Encodes the stored records as small, readable JSON objects carrying {@code "schema": 2} (blocks,
 * the hot path, in the binary encoding of {@link BlockCodec}), and decodes them strictly: anything
 * that does not decode becomes a {@link StoreCorruptException} naming the key. The layout is
 * documented in {@code docs/state-layout.md}.
 */
public final class StateCodec {
  public static final int SCHEMA = 2;

  /** The layout before per-holder keys; read only to migrate it. */
  public static final int SCHEMA_1 = 1;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private StateCodec() {}

  // ---- encoding ----

  public static byte[] encode(CarvingConfig c) {
    return encode(c, false);
  }

  /**
   * The {@code config} key, the store's schema marker. {@code migrating}: the flip to schema 2 is
   * done but schema-1 values may remain; the next start rewrites them and clears it.
   */
  public static byte[] encode(CarvingConfig c, boolean migrating) {
    ObjectNode n = root();
    if (migrating) {
      n.put("migrating", true);
    }
    // One field per family and parameter ("supernetV4", ..., "blockLengthV6"), as every schema had.
    n.put("supernetV4", c.v4().supernet().map(Object::toString).orElse(null));
    n.put("supernetV6", c.v6().supernet().map(Object::toString).orElse(null));
    n.put("networkLengthV4", c.v4().networkLength());
    n.put("networkLengthV6", c.v6().networkLength());
    n.put("blockLengthV4", c.v4().blockLength());
    n.put("blockLengthV6", c.v6().blockLength());
    return bytes(n);
  }

  public static byte[] encode(PoolRecord p) {
    ObjectNode n = root();
    n.put("prefix", p.prefix().toString());
    n.put("ipRange", p.ipRange().map(Object::toString).orElse(null));
    n.put("name", p.name().orElse(null));
    n.put("dynamic", p.dynamic());
    ObjectNode opts = n.putObject("options");
    new TreeMap<>(p.options()).forEach(opts::put);
    n.put("blockLength", p.blockLength());
    n.put("gateway", p.gateway().map(Object::toString).orElse(null));
    if (p.deleting()) {
      n.put("deleting", true); // present only in the rare window of a deletion
      if (p.mark() != 0) {
        n.put("mark", p.mark());
      }
    }
    return bytes(n);
  }

  public static byte[] encode(HolderRecord h) {
    ObjectNode n = root();
    n.put("holder", h.holder().format());
    h.replayFrom().ifPresent(t -> n.put("replayFrom", t));
    return bytes(n);
  }

  public static byte[] encode(AffinityRecord a) {
    ObjectNode n = root();
    n.put("holder", a.holder().format());
    strings(n.putArray("blocks"), a.blocks().stream().map(Object::toString).toList());
    return bytes(n);
  }

  public static byte[] encode(CarveRecord c) {
    ObjectNode n = root();
    n.put("pools", c.pools());
    n.put("seq", c.seq());
    if (c.ranges()) {
      n.put("ranges", true); // absent in what builds before carving ranges wrote
    }
    return bytes(n);
  }

  /**
   * Key {@code ranges/<family>/<range>}: who carves from the range and the pools overlapping it; a
   * pool that is exactly one of the range's /{@code slotLength} slots is a bit of {@code slots}
   * (slot i: bit i), so a carving writes the same few bytes however full its range is.
   */
  public static byte[] encode(org.clusteripam.core.alloc.CarvingRange c, int slotLength) {
    ObjectNode n = root();
    n.put("holder", c.holder());
    long slots = 0;
    List<String> others = new ArrayList<>();
    int bits = slotLength - c.range().length();
    for (IpPrefix p : c.pools()) {
      if (p.length() == slotLength && bits >= 0 && bits <= 6 && c.range().contains(p)) {
        int index =
            p.network()
                .toBigInteger()
                .subtract(c.range().network().toBigInteger())
                .shiftRight(p.hostBits())
                .intValueExact();
        slots |= 1L << index;
      } else {
        others.add(p.toString());
      }
    }
    n.put("slots", slots);
    strings(n.putArray("pools"), others);
    return bytes(n);
  }

  /**
   * The carving range {@code range} with /{@code slotLength} slots stored at {@code key}; a pool
   * outside the range or a slot bit past its slots is corruption.
   */
  public static org.clusteripam.core.alloc.CarvingRange decodeRange(
      String key, byte[] data, IpPrefix range, int slotLength) {
    Reader r = new Reader(key, data);
    TreeSet<IpPrefix> pools = new TreeSet<>();
    long slots = r.longValue(r.root, "slots");
    int bits = slotLength - range.length();
    if (slots != 0 && (bits < 0 || bits > 6 || (bits < 6 && (slots >>> (1 << bits)) != 0))) {
      throw new StoreCorruptException(
          key, "slots " + slots + " do not fit range " + range + " of /" + slotLength, null);
    }
    for (int i = 0; slots != 0 && i < 64; i++) {
      if ((slots & (1L << i)) != 0) {
        pools.add(range.subPrefix(slotLength, i));
      }
    }
    for (String s : r.stringSet(r.root, "pools")) {
      IpPrefix p = r.parse(s, "pools", IpPrefix::parse);
      if (!p.overlaps(range)) {
        throw new StoreCorruptException(key, "pool " + p + " is outside range " + range, null);
      }
      pools.add(p);
    }
    return new org.clusteripam.core.alloc.CarvingRange(range, r.text(r.root, "holder"), pools);
  }

  /** Key {@code names/<family>/<name>}: the pool a shared name stands for. */
  public static byte[] encodeName(IpPrefix pool) {
    ObjectNode n = root();
    n.put("pool", pool.toString());
    return bytes(n);
  }

  /** Blocks are the hot path: written in their binary encoding ({@link BlockCodec}). */
  public static byte[] encode(Block b) {
    return BlockCodec.encode(b);
  }

  public static byte[] encode(PlaceholderMapping m) {
    ObjectNode n = root();
    n.put("pool", m.pool().toString());
    n.put("placeholder", m.placeholder().toString());
    n.put("host", m.host().value());
    n.put("actual", m.actual().toString());
    n.put("since", m.sinceMillis());
    return bytes(n);
  }

  public static byte[] encode(CatalogService c) {
    ObjectNode n = root();
    n.put("serviceId", c.serviceId());
    n.put("name", c.name());
    n.put("vip", c.vip().map(Object::toString).orElse(null));
    strings(n.putArray("ports"), c.ports().stream().map(Object::toString).toList());
    ArrayNode tasks = n.putArray("tasks");
    for (CatalogTask t : c.tasks()) {
      ObjectNode o = tasks.addObject();
      o.put("taskId", t.taskId());
      o.put("placeholder", t.placeholder().toString());
    }
    return bytes(n);
  }

  /** Key {@code hosts/<holder>/<pool>}: the key says it all, the value only carries the schema. */
  public static byte[] encodeHostPool() {
    return bytes(root());
  }

  public static void decodeHostPool(String key, byte[] data) {
    new Reader(key, data);
  }

  /** The record of every pool of a holder, as builds before one key per pool wrote it. */
  public static byte[] encode(HostRecord h) {
    ObjectNode n = root();
    n.put("holder", h.holder().format());
    strings(n.putArray("pools"), h.pools().stream().map(Object::toString).toList());
    return bytes(n);
  }

  private static ObjectNode root() {
    ObjectNode n = F.objectNode();
    n.put("schema", SCHEMA);
    return n;
  }

  private static void strings(ArrayNode a, Iterable<String> values) {
    values.forEach(a::add);
  }

  private static byte[] bytes(ObjectNode n) {
    try {
      return MAPPER.writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      // cannot happen for a tree of strings and numbers
      throw new IllegalStateException("cannot encode " + n, e);
    }
  }

  // ---- decoding ----

  /** The carving parameters, from a store of either schema ({@link #schemaOf} tells which). */
  public static CarvingConfig decodeConfig(String key, byte[] data) {
    Reader r = new Reader(key, data, SCHEMA_1, SCHEMA);
    Optional<IpPrefix> v4 = Optional.of(r.prefix(r.root, "supernetV4"));
    Optional<IpPrefix> v6 = r.optPrefix(r.root, "supernetV6");
    try {
      return new CarvingConfig(
          new FamilyCarving(
              IpFamily.IPV4,
              v4,
              r.integer(r.root, "networkLengthV4"),
              r.integer(r.root, "blockLengthV4")),
          new FamilyCarving(
              IpFamily.IPV6,
              v6,
              r.integer(r.root, "networkLengthV6"),
              r.integer(r.root, "blockLengthV6")));
    } catch (IllegalArgumentException e) {
      throw new StoreCorruptException(key, e.getMessage(), e);
    }
  }

  /**
   * Whether a schema-2 {@code config} value says schema-1 values may remain (see {@link
   * #encode(CarvingConfig, boolean)}).
   */
  public static boolean migrating(byte[] config) {
    Reader r = new Reader(Keys.CONFIG, config, SCHEMA_1, SCHEMA);
    return r.root.has("migrating") && r.bool(r.root, "migrating");
  }

  /**
   * The schema a value was written with (the {@code config} key's is the store's schema marker).
   */
  public static int schemaOf(String key, byte[] data) {
    if (BlockCodec.isBinary(data)) {
      return SCHEMA; // binary blocks exist only from schema 2 on
    }
    return new Reader(key, data, SCHEMA_1, SCHEMA).schema;
  }

  public static HolderRecord decodeHolder(String key, byte[] data) {
    Reader r = new Reader(key, data);
    Optional<Long> replay =
        r.root.has("replayFrom")
            ? Optional.of(r.longValue(r.root, "replayFrom"))
            : Optional.empty();
    return new HolderRecord(r.holder(r.root), replay);
  }

  public static AffinityRecord decodeAffinity(String key, byte[] data) {
    Reader r = new Reader(key, data);
    TreeSet<IpPrefix> blocks = new TreeSet<>();
    for (String s : r.stringSet(r.root, "blocks")) {
      blocks.add(r.parse(s, "blocks", IpPrefix::parse));
    }
    return new AffinityRecord(r.holder(r.root), blocks);
  }

  public static CarveRecord decodeCarve(String key, byte[] data) {
    Reader r = new Reader(key, data);
    return new CarveRecord(
        r.longValue(r.root, "pools"),
        r.longValue(r.root, "seq"),
        r.root.has("ranges") && r.bool(r.root, "ranges"));
  }

  public static IpPrefix decodeName(String key, byte[] data) {
    Reader r = new Reader(key, data);
    return r.prefix(r.root, "pool");
  }

  /**
   * A pool record of either schema: schema 1's holders, block map and replay times (moved to their
   * own keys by the migration, which rewrites the record) are ignored.
   */
  public static PoolRecord decodePool(String key, byte[] data) {
    Reader r = new Reader(key, data, SCHEMA_1, SCHEMA);
    JsonNode n = r.root;
    return new PoolRecord(
        r.prefix(n, "prefix"),
        r.optPrefix(n, "ipRange"),
        r.optText(n, "name"),
        r.bool(n, "dynamic"),
        options(r, n),
        r.integer(n, "blockLength"),
        r.optText(n, "gateway").map(s -> r.parse(s, "gateway", IpAddress::parse)),
        n.has("deleting") && r.bool(n, "deleting"),
        n.has("mark") ? r.longValue(n, "mark") : 0);
  }

  private static TreeMap<String, String> options(Reader r, JsonNode n) {
    TreeMap<String, String> opts = new TreeMap<>();
    JsonNode o = r.object(n, "options");
    for (Map.Entry<String, JsonNode> e : o.properties()) {
      opts.put(e.getKey(), r.textValue(e.getValue(), "options." + e.getKey()));
    }
    return opts;
  }

  /**
   * A schema-1 pool record: the v2 pool, plus the holders, block owners and replay times it
   * carried.
   */
  public record Schema1Pool(
      PoolRecord pool,
      SortedSet<String> holders,
      java.util.SortedMap<IpPrefix, String> blocks,
      java.util.SortedMap<String, Long> replayFrom) {}

  public static Schema1Pool decodePoolSchema1(String key, byte[] data) {
    Reader r = new Reader(key, data, SCHEMA_1);
    JsonNode n = r.root;
    TreeMap<IpPrefix, String> blocks = new TreeMap<>();
    JsonNode b = r.object(n, "blocks");
    for (Map.Entry<String, JsonNode> e : b.properties()) {
      blocks.put(
          r.parse(e.getKey(), "blocks key", IpPrefix::parse),
          r.textValue(e.getValue(), "blocks." + e.getKey()));
    }
    TreeMap<String, Long> replay = new TreeMap<>();
    JsonNode v = n.get("replayFrom");
    if (v != null && !v.isNull()) {
      JsonNode o = r.object(n, "replayFrom");
      for (Map.Entry<String, JsonNode> e : o.properties()) {
        replay.put(e.getKey(), r.longValue(o, e.getKey()));
      }
    }
    PoolRecord pool =
        new PoolRecord(
            r.prefix(n, "prefix"),
            r.optPrefix(n, "ipRange"),
            r.optText(n, "name"),
            r.bool(n, "dynamic"),
            options(r, n),
            r.integer(n, "blockLength"),
            r.optText(n, "gateway").map(s -> r.parse(s, "gateway", IpAddress::parse)));
    return new Schema1Pool(pool, r.stringSet(n, "holders"), blocks, replay);
  }

  /**
   * The block stored at {@code key}, reading its chunks (if it is stored chunked) through {@code
   * chunks}: key → value, e.g. from the same listing. Chunk keys ({@link Keys#isBlockChunk}) are
   * not blocks: skip them when walking {@code blocks/}.
   */
  public static Block decodeBlock(
      String key, byte[] data, java.util.function.Function<String, Optional<byte[]>> chunks) {
    return decodeBlock(key, data).reading(chunks);
  }

  /**
   * A block in its binary encoding, or as JSON (written by schema 1 and by earlier schema-2 builds:
   * the same shape; the next change of the block writes it in binary). A chunked block's summary
   * decodes to a block that reads its chunks only once {@link Block#reading} gave it a source.
   */
  public static Block decodeBlock(String key, byte[] data) {
    if (BlockCodec.isBinary(data)) {
      return BlockCodec.decode(key, data);
    }
    Reader r = new Reader(key, data, SCHEMA_1, SCHEMA);
    JsonNode n = r.root;
    TreeMap<IpAddress, Allocation> allocs = new TreeMap<>();
    for (JsonNode a : r.array(n, "allocations")) {
      IpAddress addr = r.address(a, "address");
      String kind = r.text(a, "kind");
      AddressKind k = r.parse(kind, "kind", s -> AddressKind.valueOf(s.toUpperCase(Locale.ROOT)));
      allocs.put(
          addr,
          new Allocation(
              k,
              r.holderSet(a, "holders"),
              r.longValue(a, "since"),
              r.optText(a, "placeholder").map(x -> r.parse(x, "placeholder", IpAddress::parse))));
    }
    TreeMap<IpAddress, Long> cooling = new TreeMap<>();
    for (JsonNode c : r.array(n, "cooling")) {
      cooling.put(r.address(c, "address"), r.longValue(c, "freedAt"));
    }
    IpPrefix pool = r.prefix(n, "pool");
    IpPrefix block = r.prefix(n, "block");
    if (!pool.contains(block)) {
      throw new StoreCorruptException(
          key, "block " + block + " is not inside its pool " + pool, null);
    }
    for (IpAddress a : allocs.keySet()) {
      if (!block.contains(a)) {
        throw new StoreCorruptException(
            key, "allocation " + a + " is not inside block " + block, null);
      }
    }
    try {
      return Block.of(
          pool,
          block,
          r.optPrefix(n, "ipRange"),
          r.text(n, "owner").isEmpty()
              ? Optional.empty()
              : Optional.of(r.parse(r.text(n, "owner"), "owner", Holder::parse)),
          allocs,
          r.longValue(n, "serialCursor"),
          cooling);
    } catch (IllegalArgumentException e) {
      throw new StoreCorruptException(key, e.getMessage(), e);
    }
  }

  /**
   * Schema 1 wrote the same shape: a value it wrote (before the migration rewrites it) decodes too.
   */
  public static PlaceholderMapping decodeMapping(String key, byte[] data) {
    Reader r = new Reader(key, data, SCHEMA_1, SCHEMA);
    JsonNode n = r.root;
    PlaceholderMapping m =
        new PlaceholderMapping(
            r.prefix(n, "pool"),
            r.address(n, "placeholder"),
            r.parse(r.text(n, "host"), "host", HostId::new),
            r.address(n, "actual"),
            r.longValue(n, "since"));
    if (!m.pool().contains(m.placeholder()) || !m.pool().contains(m.actual())) {
      throw new StoreCorruptException(
          key,
          "placeholder "
              + m.placeholder()
              + " or actual "
              + m.actual()
              + " is not inside pool "
              + m.pool(),
          null);
    }
    return m;
  }

  /**
   * Schema 1 wrote the same shape: a value it wrote (before the migration rewrites it) decodes too.
   */
  public static CatalogService decodeCatalog(String key, byte[] data) {
    Reader r = new Reader(key, data, SCHEMA_1, SCHEMA);
    JsonNode n = r.root;
    List<ServicePort> ports = new ArrayList<>();
    for (String p : r.stringSet(n, "ports")) {
      ports.add(r.parse(p, "ports", ServicePort::parse));
    }
    List<CatalogTask> tasks = new ArrayList<>();
    for (JsonNode t : r.array(n, "tasks")) {
      String id = r.text(t, "taskId");
      IpAddress ph = r.address(t, "placeholder");
      tasks.add(r.parse(id, "taskId", x -> new CatalogTask(x, ph)));
    }
    String id = r.text(n, "serviceId");
    String name = r.text(n, "name");
    Optional<IpAddress> vip = r.optText(n, "vip").map(x -> r.parse(x, "vip", IpAddress::parse));
    return r.parse(id, "serviceId", x -> new CatalogService(x, name, vip, ports, tasks));
  }

  /**
   * Schema 1 wrote the same shape: a value it wrote (before the migration rewrites it) decodes too.
   */
  public static HostRecord decodeHost(String key, byte[] data) {
    Reader r = new Reader(key, data, SCHEMA_1, SCHEMA);
    TreeSet<IpPrefix> pools = new TreeSet<>();
    for (String s : r.stringSet(r.root, "pools")) {
      pools.add(r.parse(s, "pools", IpPrefix::parse));
    }
    return new HostRecord(r.holder(r.root), pools);
  }

  /** Strict field access that reports the key and the field on any problem. */
  private static final class Reader {
    final String key;
    final JsonNode root;
    final int schema;

    Reader(String key, byte[] data) {
      this(key, data, SCHEMA);
    }

    Reader(String key, byte[] data, int... accepted) {
      this.key = key;
      JsonNode n;
      try {
        n = MAPPER.readTree(data);
      } catch (IOException e) {
        throw new StoreCorruptException(
            key,
            "not valid JSON ("
                + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                    ? j.getOriginalMessage()
                    : e.getMessage())
                + ")",
            e);
      }
      if (n == null || !n.isObject()) {
        throw new StoreCorruptException(key, "expected a JSON object", null);
      }
      this.root = n;
      JsonNode schema = n.get("schema");
      if (schema == null || !schema.isInt()) {
        throw new StoreCorruptException(key, "missing schema version", null);
      }
      if (java.util.Arrays.stream(accepted).noneMatch(x -> x == schema.intValue())) {
        throw new StoreCorruptException(
            key,
            "schema version "
                + schema.intValue()
                + " is not supported here (expected "
                + java.util.Arrays.toString(accepted).replaceAll("[\\[\\]]", "")
                + ")",
            null);
      }
      this.schema = schema.intValue();
    }

    JsonNode field(JsonNode n, String f) {
      JsonNode v = n.get(f);
      if (v == null) {
        throw new StoreCorruptException(key, "missing field \"" + f + "\"", null);
      }
      return v;
    }

    String text(JsonNode n, String f) {
      return textValue(field(n, f), f);
    }

    String textValue(JsonNode v, String f) {
      if (!v.isTextual()) {
        throw new StoreCorruptException(key, "field \"" + f + "\" must be a string", null);
      }
      return v.textValue();
    }

    Optional<String> optText(JsonNode n, String f) {
      JsonNode v = n.get(f);
      return v == null || v.isNull() ? Optional.empty() : Optional.of(textValue(v, f));
    }

    int integer(JsonNode n, String f) {
      JsonNode v = field(n, f);
      if (!v.isInt()) {
        throw new StoreCorruptException(key, "field \"" + f + "\" must be an integer", null);
      }
      return v.intValue();
    }

    long longValue(JsonNode n, String f) {
      JsonNode v = field(n, f);
      if (!v.canConvertToLong() || !v.isIntegralNumber()) {
        throw new StoreCorruptException(key, "field \"" + f + "\" must be an integer", null);
      }
      return v.longValue();
    }

    boolean bool(JsonNode n, String f) {
      JsonNode v = field(n, f);
      if (!v.isBoolean()) {
        throw new StoreCorruptException(key, "field \"" + f + "\" must be true or false", null);
      }
      return v.booleanValue();
    }

    JsonNode object(JsonNode n, String f) {
      JsonNode v = field(n, f);
      if (!v.isObject()) {
        throw new StoreCorruptException(key, "field \"" + f + "\" must be an object", null);
      }
      return v;
    }

    Iterable<JsonNode> array(JsonNode n, String f) {
      JsonNode v = field(n, f);
      if (!v.isArray()) {
        throw new StoreCorruptException(key, "field \"" + f + "\" must be an array", null);
      }
      for (JsonNode e : v) {
        if (!e.isObject()) {
          throw new StoreCorruptException(key, "field \"" + f + "\" must hold objects", null);
        }
      }
      return v;
    }

    SortedSet<String> stringSet(JsonNode n, String f) {
      JsonNode v = field(n, f);
      if (!v.isArray()) {
        throw new StoreCorruptException(key, "field \"" + f + "\" must be an array", null);
      }
      TreeSet<String> out = new TreeSet<>();
      for (JsonNode e : v) {
        out.add(textValue(e, f));
      }
      return out;
    }

    SortedSet<Holder> holderSet(JsonNode n, String f) {
      TreeSet<Holder> out = new TreeSet<>();
      for (String h : stringSet(n, f)) {
        out.add(parse(h, f, Holder::parse));
      }
      return out;
    }

    IpPrefix prefix(JsonNode n, String f) {
      return parse(text(n, f), f, IpPrefix::parse);
    }

    Optional<IpPrefix> optPrefix(JsonNode n, String f) {
      return optText(n, f).map(s -> parse(s, f, IpPrefix::parse));
    }

    Holder holder(JsonNode n) {
      return parse(text(n, "holder"), "holder", Holder::parse);
    }

    IpAddress address(JsonNode n, String f) {
      return parse(text(n, f), f, IpAddress::parse);
    }

    <T> T parse(String s, String f, Function<String, T> parser) {
      try {
        return parser.apply(s);
      } catch (IllegalArgumentException e) {
        throw new StoreCorruptException(key, "field \"" + f + "\": " + e.getMessage(), e);
      }
    }
  }
}
