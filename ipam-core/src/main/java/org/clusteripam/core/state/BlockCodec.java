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
  /** The layout version, second byte. */
  static final int VERSION = 1;
  private static final int FLAG_IP_RANGE = 1;
  private static final int RUN_GATEWAY = 1;
  private static final int RUN_PLACEHOLDER = 2;

  private BlockCodec() {}

  /** Whether {@code data} is a binary block (else it is JSON, or not a block). */
  public static boolean isBinary(byte[] data) {
    return data.length > 0 && data[0] == MAGIC;
  }

  public static byte[] encode(Block b) {
    Block.Shape s = b.shape();
    Out out = new Out(48 + 3 * b.size() + 6 * b.coolingCount());
    out.b(MAGIC);
    out.b(VERSION);
    out.b(b.ipRange().isPresent() ? FLAG_IP_RANGE : 0);
    out.b(s.pool().family().bits() == 32 ? 4 : 6);
    out.prefix(s.pool());
    out.prefix(s.block());
    b.ipRange().ifPresent(out::prefix);
    out.string(b.owner());
    out.uvar(b.serialCursor());
    // The holder table, in order of first use.
    List<String> table = new ArrayList<>(4);
    HashMap<String, Integer> index = null;
    int n = b.size();
    int[][] sets = new int[n][];
    SortedSet<String> prevSet = null;
    for (int i = 0; i < n; i++) {
      SortedSet<String> hs = b.allocationAt(i).holders();
      if (i > 0 && (hs == prevSet || hs.size() == 1 && sets[i - 1].length == 1 && hs.first().equals(table.get(sets[i - 1][0])))) {
        sets[i] = sets[i - 1]; // the common case: the same single holder as the address before
        prevSet = hs;
        continue;
      }
      int[] ix = new int[hs.size()];
      int k = 0;
      for (String h : hs) {
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
    for (String h : table) {
      out.string(h);
    }
    long base = n > 0 ? b.allocationAt(0).sinceMillis() : b.coolingCount() > 0 ? b.coolingTimeAt(0) : 0;
    out.svar(base);
    // Runs: consecutive offsets, same kind, same holders, no placeholder.
    int[] ends = new int[n];
    int runs = 0;
    for (int i = 0; i < n; i = ends[runs++]) {
      ends[runs] = runEnd(b, sets, i);
    }
    out.uvar(runs);
    long prevEnd = 0;
    long prevSince = base;
    for (int r = 0, i = 0; r < runs; r++) {
      int e = ends[r];
      Allocation first = b.allocationAt(i);
      out.uvar(b.offsetAt(i) - prevEnd);
      out.uvar(e - i - 1);
      out.b((first.kind() == AddressKind.GATEWAY ? RUN_GATEWAY : 0) | (first.placeholder().isPresent() ? RUN_PLACEHOLDER : 0));
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
    long prevOff = 0;
    long prevTime = base;
    for (int i = 0; i < nc; i++) {
      out.uvar(b.coolingOffsetAt(i) - prevOff);
      out.svar(b.coolingTimeAt(i) - prevTime);
      prevOff = b.coolingOffsetAt(i) + 1;
      prevTime = b.coolingTimeAt(i);
    }
    return out.toArray();
  }

  private static int runEnd(Block b, int[][] sets, int i) {
    Allocation a = b.allocationAt(i);
    if (a.placeholder().isPresent()) {
      return i + 1;
    }
    int j = i + 1;
    while (j < b.size() && b.offsetAt(j) == b.offsetAt(j - 1) + 1 && sameRun(a, b.allocationAt(j), sets[i], sets[j])) {
      j++;
    }
    return j;
  }

  private static boolean sameRun(Allocation a, Allocation x, int[] sa, int[] sx) {
    return x.kind() == a.kind() && x.placeholder().isEmpty() && (sa == sx || Arrays.equals(sa, sx));
  }

  /** A binary block; a JSON one goes to {@link StateCodec#decodeBlock}, which calls this for binary values. */
  static Block decode(String key, byte[] data) {
    In in = new In(key, data);
    if (in.u8() != (MAGIC & 0xff)) {
      throw in.corrupt("not a binary block");
    }
    int version = in.u8();
    if (version != VERSION) {
      throw in.corrupt("block encoding version " + version + " is not supported (this build reads " + VERSION + ")");
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
    Optional<IpPrefix> ipRange = (flags & FLAG_IP_RANGE) != 0 ? Optional.of(in.prefix(width)) : Optional.empty();
    String owner = in.string();
    long cursor = in.uvar();
    Block.Shape shape;
    try {
      shape = Block.Shape.of(pool, block, ipRange);
    } catch (IllegalArgumentException e) {
      throw in.corrupt(e.getMessage());
    }
    int tn = in.count(1);
    String[] table = new String[tn];
    for (int i = 0; i < tn; i++) {
      table[i] = in.string();
    }
    long base = in.svar();
    long since = base;
    int runs = in.count(4);
    long[] offs = new long[Math.min(runs, 1 << 16)];
    Allocation[] als = new Allocation[offs.length];
    int n = 0;
    long next = 0;
    for (int r = 0; r < runs; r++) {
      long start = next + in.uvar();
      if (r > 0 && Long.compareUnsigned(start, next) < 0 || Long.compareUnsigned(start, shape.lastOffset()) > 0) {
        throw in.corrupt("a run starts outside block " + block);
      }
      long len = in.uvar() + 1;
      if (len <= 0 || Long.compareUnsigned(len - 1, shape.lastOffset() - start) > 0 || len > in.remaining()) {
        throw in.corrupt("a run of " + Long.toUnsignedString(len) + " addresses runs past block " + block);
      }
      int kind = in.u8();
      if ((kind & ~(RUN_GATEWAY | RUN_PLACEHOLDER)) != 0 || (kind & RUN_PLACEHOLDER) != 0 && len != 1) {
        throw in.corrupt("bad run flags " + kind);
      }
      int hc = in.count(1);
      if (hc == 0) {
        throw in.corrupt("an allocation without holders");
      }
      TreeSet<String> holders = new TreeSet<>();
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
        Allocation a = shared != null && shared.sinceMillis() == since ? shared : new Allocation(k, holders, since);
        shared = a;
        offs[n] = start + j;
        als[n++] = a;
      }
      if ((kind & RUN_PLACEHOLDER) != 0) {
        IpAddress ph = IpAddress.fromBytes(in.bytes(width));
        als[n - 1] = als[n - 1].withPlaceholder(ph);
      }
      next = start + len;
    }
    int nc = in.count(2);
    long[] co = new long[nc];
    long[] ct = new long[nc];
    long prev = 0;
    long t = base;
    for (int i = 0; i < nc; i++) {
      long o = prev + in.uvar();
      if (i > 0 && Long.compareUnsigned(o, prev) < 0) {
        throw in.corrupt("cooling offsets are not ascending");
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
      return Block.decoded(shape, owner, cursor, Arrays.copyOf(offs, n), Arrays.copyOf(als, n), co, ct);
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

  /** Strict reading: anything short or out of range is a {@link StoreCorruptException} naming the key. */
  private static final class In {
    private final String key;
    private final byte[] d;
    private int pos;

    In(String key, byte[] d) {
      this.key = key;
      this.d = d;
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
        throw corrupt("a count of " + Long.toUnsignedString(c) + " items exceeds the value's length");
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
