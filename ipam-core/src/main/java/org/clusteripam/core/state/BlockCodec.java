package org.clusteripam.core.state;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.StoreCorruptException;

/**
 * The binary encoding of a {@link Block} (layout in {@code docs/state-layout.md}): a magic byte
 * that is never the first byte of JSON, then the block's place, owner and serial cursor, a table of
 * the holder names it uses, and its allocations as runs of consecutive offsets that share kind and
 * holders, each address carrying only its since-time as a delta from the previous one. A block
 * filled by its owner is one run: a few bytes per address instead of ~70 of JSON. Decoding is
 * strict; a block written as JSON by earlier builds decodes through {@link StateCodec}.
 */
public final class BlockCodec {
  /** First byte of a binary block (0xB1: never the first byte of a JSON text). */
  static final byte MAGIC = (byte) 0xB1;

  /** The layout version of a block in one value, second byte. */
  static final int VERSION = 1;

  /** The second byte of a chunked block's summary (at the block key). */
  static final int VERSION_SUMMARY = 2;

  /** The second byte of a chunk of a chunked block (at {@code <block key>/<chunk index>}). */
  static final int VERSION_CHUNK = 3;

  private static final int FLAG_IP_RANGE = 1;
  private static final int RUN_GATEWAY = 1;
  private static final int RUN_PLACEHOLDER = 2;

  private BlockCodec() {}

  /** Whether {@code data} is a binary block (else it is JSON, or not a block). */
  public static boolean isBinary(byte[] data) {
    return data.length > 0 && data[0] == MAGIC;
  }

  /**
   * The whole block as one value (version 1), whichever form it is in: what a store holding one
   * value per block reads.
   */
  public static byte[] encode(Block b) {
    b = b.flat();
    Out out = new Out(48 + 3 * b.size() + 6 * b.coolingCount());
    header(out, b, VERSION);
    body(out, b, 0);
    return out.toArray();
  }

  private static void header(Out out, Block b, int version) {
    Block.Shape s = b.shape();
    out.b(MAGIC);
    out.b(version);
    out.b(b.ipRange().isPresent() ? FLAG_IP_RANGE : 0);
    out.b(s.pool().family().bits() == 32 ? 4 : 6);
    out.prefix(s.pool());
    out.prefix(s.block());
    b.ipRange().ifPresent(out::prefix);
    out.string(b.owner().map(Holder::format).orElse(""));
    out.uvar(b.serialCursor());
  }

  /** One chunk's content (a flat block holding only offsets of chunk {@code index}). */
  static byte[] encodeChunk(Block chunk, long index) {
    Out out = new Out(16 + 3 * chunk.size() + 6 * chunk.coolingCount());
    out.b(MAGIC);
    out.b(VERSION_CHUNK);
    body(out, chunk, index << Chunks.BITS);
    return out.toArray();
  }

  /**
   * A chunked block's summary: its header, then per existing chunk the index gap and its counts.
   */
  static byte[] encodeSummary(Block b) {
    Chunks c = b.chunks();
    Out out = new Out(48 + 4 * c.count());
    header(out, b, VERSION_SUMMARY);
    int n = 0;
    for (int i = 0; i < c.count(); i++) {
      n += c.gone(i) ? 0 : 1;
    }
    out.uvar(n);
    long next = 0;
    for (int i = 0; i < c.count(); i++) {
      if (c.gone(i)) {
        continue;
      }
      out.uvar(c.idx[i] - next);
      out.uvar(c.used[i]);
      out.uvar(c.cool[i]);
      next = c.idx[i] + 1;
    }
    return out.toArray();
  }

  /**
   * What storing {@code b} writes: the value at its key, and in the chunked form the chunks it
   * changed (an emptied chunk is deleted). A block larger than a chunk read in one value (written
   * by earlier builds, or as JSON) is converted to the chunked form unless it spans more than
   * {@link Chunks#MAX_CONVERSION} chunks (more writes than one transaction should carry): then it
   * stays in one value.
   */
  public static BlockWrite write(Block b) {
    Chunks c = b.chunks();
    if (c == null) {
      if (!Block.chunkable(b.block())) {
        return new BlockWrite(encode(b), true, java.util.Map.of(), List.of(), b);
      }
      java.util.SortedMap<Long, Block> parts = b.splitIntoChunks();
      if (parts.size() > Chunks.MAX_CONVERSION) {
        return new BlockWrite(encode(b), true, java.util.Map.of(), List.of(), b);
      }
      Chunks nc = Chunks.none(Keys.block(b.pool(), b.block()) + "/");
      for (var e : parts.entrySet()) {
        nc = nc.with(e.getKey(), e.getValue());
      }
      b = b.withChunks(nc);
      c = nc;
    }
    int n = c.count();
    java.util.LinkedHashMap<String, byte[]> puts = new java.util.LinkedHashMap<>();
    List<String> deletes = new ArrayList<>(0);
    int kept = 0;
    for (int i = 0; i < n; i++) {
      kept += c.gone(i) ? 0 : 1;
    }
    long[] idx = new long[kept];
    int[] used = new int[kept];
    int[] cool = new int[kept];
    byte[][] stored = new byte[kept][];
    Block[] memo = new Block[kept];
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (c.gone(i)) {
        if (c.dirty[i]) {
          deletes.add(c.key(i));
        }
        continue;
      }
      idx[k] = c.idx[i];
      used[k] = c.used[i];
      cool[k] = c.cool[i];
      if (c.dirty[i]) {
        byte[] v = encodeChunk(c.live[i], c.idx[i]);
        puts.put(c.key(i), v);
        stored[k] = v.clone();
        memo[k] = c.live[i];
      } else if (c.liveBytes[i] != null) {
        stored[k] = c.liveBytes[i];
        memo[k] = c.live[i];
      } else {
        stored[k] = c.stored[i];
        memo[k] = c.memo[i];
      }
      k++;
    }
    byte[] summary = encodeSummary(b);
    boolean changed = c.storedSummary == null || !Arrays.equals(summary, c.storedSummary);
    Chunks clean =
        new Chunks(
            c.keyPrefix,
            idx,
            used,
            cool,
            stored,
            memo,
            new Block[kept],
            new byte[kept][],
            new boolean[kept],
            summary.clone(),
            null);
    return new BlockWrite(summary, changed, puts, deletes, b.withChunks(clean));
  }

  /**
   * The chunk keys of {@code b} as stored (none for a block in one value): deleted with the block.
   */
  public static List<String> chunkKeys(Block b) {
    Chunks c = b.chunks();
    if (c == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>(c.count());
    for (int i = 0; i < c.count(); i++) {
      out.add(c.key(i));
    }
    return out;
  }

  /**
   * The holder table, since base, runs and cooling entries of a flat block, offsets counted from
   * {@code start}.
   */
  private static void body(Out out, Block b, long start) {
    // The holder table, in order of first use.
    List<Holder> table = new ArrayList<>(4);
    HashMap<Holder, Integer> index = null;
    int n = b.size();
    int[][] sets = new int[n][];
    SortedSet<Holder> prevSet = null;
    for (int i = 0; i < n; i++) {
      SortedSet<Holder> hs = b.allocationAt(i).holders();
      if (i > 0
          && (hs == prevSet
              || hs.size() == 1
                  && sets[i - 1].length == 1
                  && hs.first().equals(table.get(sets[i - 1][0])))) {
        sets[i] = sets[i - 1]; // the common case: the same single holder as the address before
        prevSet = hs;
        continue;
      }
      int[] ix = new int[hs.size()];
      int k = 0;
      for (Holder h : hs) {
        int at = -1;
        if (index == null) {
          for (int t = 0; t < table.size(); t++) {
            if (table.get(t).equals(h)) {
              at = t;
              break;
            }
          }
        } else {
          at = index.getOrDefault(h, -1);
        }
        if (at < 0) {
          at = table.size();
          table.add(h);
          if (index != null) {
            index.put(h, at);
          } else if (table.size() > 8) {
            index = new HashMap<>();
            for (int t = 0; t < table.size(); t++) {
              index.put(table.get(t), t);
            }
          }
        }
        ix[k++] = at;
      }
      sets[i] = ix;
      prevSet = hs;
    }
    out.uvar(table.size());
    for (Holder h : table) {
      out.string(h.format());
    }
    long base =
        n > 0 ? b.allocationAt(0).sinceMillis() : b.coolingCount() > 0 ? b.coolingTimeAt(0) : 0;
    out.svar(base);
    // Runs: consecutive offsets, same kind, same holders, no placeholder.
    int[] ends = new int[n];
    int runs = 0;
    for (int i = 0; i < n; i = ends[runs++]) {
      ends[runs] = runEnd(b, sets, i);
    }
    out.uvar(runs);
    long prevEnd = start;
    long prevSince = base;
    for (int r = 0, i = 0; r < runs; r++) {
      int e = ends[r];
      Allocation first = b.allocationAt(i);
      out.uvar(b.offsetAt(i) - prevEnd);
      out.uvar(e - i - 1);
      out.b(
          (first.kind() == AddressKind.GATEWAY ? RUN_GATEWAY : 0)
              | (first.placeholder().isPresent() ? RUN_PLACEHOLDER : 0));
      out.uvar(sets[i].length);
      for (int h : sets[i]) {
        out.uvar(h);
      }
      for (int j = i; j < e; j++) {
        long since = b.allocationAt(j).sinceMillis();
        out.svar(since - prevSince);
        prevSince = since;
      }
      if (first.placeholder().isPresent()) {
        out.bytes(first.placeholder().get().toBytes());
      }
      prevEnd = b.offsetAt(e - 1) + 1;
      i = e;
    }
    int nc = b.coolingCount();
    out.uvar(nc);
    long prevOff = start;
    long prevTime = base;
    for (int i = 0; i < nc; i++) {
      out.uvar(b.coolingOffsetAt(i) - prevOff);
      out.svar(b.coolingTimeAt(i) - prevTime);
      prevOff = b.coolingOffsetAt(i) + 1;
      prevTime = b.coolingTimeAt(i);
    }
  }

  private static int runEnd(Block b, int[][] sets, int i) {
    Allocation a = b.allocationAt(i);
    if (a.placeholder().isPresent()) {
      return i + 1;
    }
    int j = i + 1;
    while (j < b.size()
        && b.offsetAt(j) == b.offsetAt(j - 1) + 1
        && sameRun(a, b.allocationAt(j), sets[i], sets[j])) {
      j++;
    }
    return j;
  }

  private static boolean sameRun(Allocation a, Allocation x, int[] sa, int[] sx) {
    return x.kind() == a.kind() && x.placeholder().isEmpty() && (sa == sx || Arrays.equals(sa, sx));
  }

  /**
   * A binary block; a JSON one goes to {@link StateCodec#decodeBlock}, which calls this for binary
   * values.
   */
  static Block decode(String key, byte[] data) {
    In in = new In(key, data);
    if (in.u8() != (MAGIC & 0xff)) {
      throw in.corrupt("not a binary block");
    }
    int version = in.u8();
    if (version != VERSION && version != VERSION_SUMMARY) {
      throw in.corrupt(
          version == VERSION_CHUNK
              ? "a chunk of a block, not a block"
              : "block encoding version "
                  + version
                  + " is not supported (this build reads "
                  + VERSION
                  + " and "
                  + VERSION_SUMMARY
                  + ")");
    }
    int flags = in.u8();
    if ((flags & ~FLAG_IP_RANGE) != 0) {
      throw in.corrupt("unknown block flags " + flags);
    }
    int fam = in.u8();
    if (fam != 4 && fam != 6) {
      throw in.corrupt("unknown address family " + fam);
    }
    int width = fam == 4 ? 4 : 16;
    IpPrefix pool = in.prefix(width);
    IpPrefix block = in.prefix(width);
    Optional<IpPrefix> ipRange =
        (flags & FLAG_IP_RANGE) != 0 ? Optional.of(in.prefix(width)) : Optional.empty();
    String stored = in.string();
    Optional<Holder> owner = stored.isEmpty() ? Optional.empty() : Optional.of(in.holder(stored));
    long cursor = in.uvar();
    Block.Shape shape;
    try {
      shape = Block.Shape.of(pool, block, ipRange);
    } catch (IllegalArgumentException e) {
      throw in.corrupt(e.getMessage());
    }
    if (version == VERSION_SUMMARY) {
      return summary(in, key, shape, owner, cursor, data);
    }
    return body(in, shape, 0, shape.lastOffset(), owner, cursor);
  }

  private static Block summary(
      In in, String key, Block.Shape shape, Optional<Holder> owner, long cursor, byte[] data) {
    if (!Block.chunkable(shape.block())) {
      throw in.corrupt(
          "block " + shape.block() + " is not larger than a chunk, yet stored chunked");
    }
    int n = in.count(3);
    long[] idx = new long[n];
    int[] used = new int[n];
    int[] cool = new int[n];
    long next = 0;
    long lastChunk = shape.lastOffset() >>> Chunks.BITS;
    for (int i = 0; i < n; i++) {
      long c = next + in.uvar();
      if (i > 0 && Long.compareUnsigned(c, next) < 0 || Long.compareUnsigned(c, lastChunk) > 0) {
        throw in.corrupt(
            "chunk "
                + Long.toUnsignedString(c)
                + " is outside block "
                + shape.block()
                + " or out of order");
      }
      long u = in.uvar();
      long k = in.uvar();
      if (u < 0 || u > Chunks.SIZE || k < 0 || k > Chunks.SIZE || u + k == 0) {
        throw in.corrupt(
            "chunk "
                + Long.toUnsignedString(c)
                + " counts "
                + u
                + " allocations and "
                + k
                + " cooling entries");
      }
      idx[i] = c;
      used[i] = (int) u;
      cool[i] = (int) k;
      next = c + 1;
    }
    if (in.remaining() != 0) {
      throw in.corrupt(in.remaining() + " bytes after the end of the block");
    }
    Chunks ch =
        new Chunks(
            key + "/",
            idx,
            used,
            cool,
            new byte[n][],
            new Block[n],
            new Block[n],
            new byte[n][],
            new boolean[n],
            data.clone(),
            null);
    return Block.chunked(shape, owner, cursor, ch);
  }

  /**
   * A chunk of a chunked block of shape {@code shape}: its allocations and cooling entries, all
   * inside chunk {@code index}.
   */
  static Block decodeChunk(String key, byte[] data, Block.Shape shape, long index) {
    In in = new In(key, data);
    if (in.u8() != (MAGIC & 0xff)) {
      throw in.corrupt("not a binary block chunk");
    }
    int version = in.u8();
    if (version != VERSION_CHUNK) {
      throw in.corrupt(
          "block chunk encoding version "
              + version
              + " is not supported (this build reads "
              + VERSION_CHUNK
              + ")");
    }
    long start = index << Chunks.BITS;
    long end = start | (Chunks.SIZE - 1);
    if (Long.compareUnsigned(end, shape.lastOffset()) > 0) {
      end = shape.lastOffset();
    }
    return body(in, shape, start, end, null, 0);
  }

  /**
   * The body of a flat block (owner null: a chunk's content) whose offsets lie in {@code [start,
   * end]}.
   */
  private static Block body(
      In in, Block.Shape shape, long start, long end, Optional<Holder> owner, long cursor) {
    IpPrefix block = shape.block();
    int width = shape.pool().family().bits() == 32 ? 4 : 16;
    int tn = in.count(1);
    Holder[] table = new Holder[tn];
    for (int i = 0; i < tn; i++) {
      table[i] = in.holder(in.string());
    }
    long base = in.svar();
    long since = base;
    int runs = in.count(4);
    long[] offs = new long[Math.min(runs, 1 << 16)];
    Allocation[] als = new Allocation[offs.length];
    int n = 0;
    long next = start;
    for (int r = 0; r < runs; r++) {
      long first = next + in.uvar();
      if (Long.compareUnsigned(first, next) < 0 || Long.compareUnsigned(first, end) > 0) {
        throw in.corrupt("a run starts outside block " + block);
      }
      long len = in.uvar() + 1;
      if (len <= 0 || Long.compareUnsigned(len - 1, end - first) > 0 || len > in.remaining()) {
        throw in.corrupt(
            "a run of " + Long.toUnsignedString(len) + " addresses runs past block " + block);
      }
      int kind = in.u8();
      if ((kind & ~(RUN_GATEWAY | RUN_PLACEHOLDER)) != 0
          || (kind & RUN_PLACEHOLDER) != 0 && len != 1) {
        throw in.corrupt("bad run flags " + kind);
      }
      int hc = in.count(1);
      if (hc == 0) {
        throw in.corrupt("an allocation without holders");
      }
      TreeSet<Holder> holders = new TreeSet<>();
      for (int h = 0; h < hc; h++) {
        long ix = in.uvar();
        if (ix < 0 || ix >= tn) {
          throw in.corrupt("holder index " + ix + " outside the table of " + tn);
        }
        holders.add(table[(int) ix]);
      }
      AddressKind k = (kind & RUN_GATEWAY) != 0 ? AddressKind.GATEWAY : AddressKind.ENDPOINT;
      if (n + len > offs.length) {
        int cap = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(offs.length * 2L, n + len));
        offs = Arrays.copyOf(offs, cap);
        als = Arrays.copyOf(als, cap);
      }
      Allocation shared = null;
      for (long j = 0; j < len; j++) {
        since += in.svar();
        Allocation a =
            shared != null && shared.sinceMillis() == since
                ? shared
                : new Allocation(k, holders, since);
        shared = a;
        offs[n] = first + j;
        als[n++] = a;
      }
      if ((kind & RUN_PLACEHOLDER) != 0) {
        IpAddress ph = IpAddress.fromBytes(in.bytes(width));
        als[n - 1] = als[n - 1].withPlaceholder(ph);
      }
      next = first + len;
    }
    int nc = in.count(2);
    long[] co = new long[nc];
    long[] ct = new long[nc];
    long prev = start;
    long t = base;
    for (int i = 0; i < nc; i++) {
      long o = prev + in.uvar();
      if (Long.compareUnsigned(o, prev) < 0 || Long.compareUnsigned(o, end) > 0) {
        throw in.corrupt("cooling offsets are not ascending or outside block " + block);
      }
      co[i] = o;
      t += in.svar();
      ct[i] = t;
      prev = o + 1;
    }
    if (in.remaining() != 0) {
      throw in.corrupt(in.remaining() + " bytes after the end of the block");
    }
    try {
      if (owner == null) {
        return Block.chunkContent(shape, Arrays.copyOf(offs, n), Arrays.copyOf(als, n), co, ct);
      }
      return Block.decoded(
          shape, owner, cursor, Arrays.copyOf(offs, n), Arrays.copyOf(als, n), co, ct);
    } catch (IllegalArgumentException e) {
      throw in.corrupt(e.getMessage());
    }
  }

  /** A growable output buffer with LEB128 varints. */
  private static final class Out {
    private byte[] buf;
    private int pos;

    Out(int cap) {
      buf = new byte[cap];
    }

    private void room(int n) {
      if (pos + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
      }
    }

    void b(int v) {
      room(1);
      buf[pos++] = (byte) v;
    }

    void uvar(long v) {
      room(10);
      while ((v & ~0x7FL) != 0) {
        buf[pos++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[pos++] = (byte) v;
    }

    void svar(long v) {
      uvar((v << 1) ^ (v >> 63));
    }

    void bytes(byte[] x) {
      room(x.length);
      System.arraycopy(x, 0, buf, pos, x.length);
      pos += x.length;
    }

    void string(String s) {
      byte[] x = s.getBytes(StandardCharsets.UTF_8);
      uvar(x.length);
      bytes(x);
    }

    void prefix(IpPrefix p) {
      b(p.length());
      bytes(p.network().toBytes());
    }

    byte[] toArray() {
      return Arrays.copyOf(buf, pos);
    }
  }

  /**
   * Strict reading: anything short or out of range is a {@link StoreCorruptException} naming the
   * key.
   */
  private static final class In {
    private final String key;
    private final byte[] d;
    private int pos;

    In(String key, byte[] d) {
      this.key = key;
      this.d = d;
    }

    /** A stored holder string, parsed; a malformed one is a corrupt block. */
    Holder holder(String stored) {
      try {
        return Holder.parse(stored);
      } catch (IllegalArgumentException e) {
        throw corrupt(e.getMessage());
      }
    }

    StoreCorruptException corrupt(String why) {
      return new StoreCorruptException(key, "binary block: " + why, null);
    }

    int remaining() {
      return d.length - pos;
    }

    int u8() {
      if (pos >= d.length) {
        throw corrupt("truncated");
      }
      return d[pos++] & 0xff;
    }

    long uvar() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int x = u8();
        v |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) {
          if (shift == 63 && x > 1) {
            break;
          }
          return v;
        }
      }
      throw corrupt("a number longer than 64 bits");
    }

    long svar() {
      long u = uvar();
      return (u >>> 1) ^ -(u & 1);
    }

    /** A count of items taking at least {@code minBytes} each: bounded by what is left. */
    int count(int minBytes) {
      long c = uvar();
      if (c < 0 || c > remaining() / minBytes + 1) {
        throw corrupt(
            "a count of " + Long.toUnsignedString(c) + " items exceeds the value's length");
      }
      return (int) c;
    }

    byte[] bytes(int n) {
      if (n > remaining()) {
        throw corrupt("truncated");
      }
      byte[] x = Arrays.copyOfRange(d, pos, pos + n);
      pos += n;
      return x;
    }

    String string() {
      int n = count(1);
      return new String(bytes(n), StandardCharsets.UTF_8);
    }

    IpPrefix prefix(int width) {
      int len = u8();
      if (len > width * 8) {
        throw corrupt("prefix length " + len + " is too long");
      }
      try {
        return IpPrefix.of(IpAddress.fromBytes(bytes(width)), len);
      } catch (IllegalArgumentException e) {
        throw corrupt(e.getMessage());
      }
    }
  }
}
