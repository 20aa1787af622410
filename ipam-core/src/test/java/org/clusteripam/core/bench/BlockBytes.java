package org.clusteripam.core.bench;

import java.util.Optional;
import org.clusteripam.core.alloc.StandardAddressPolicy;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Block;
import org.clusteripam.core.state.BlockCodec;
import org.clusteripam.core.state.BlockWrite;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.StateCodec;

/**
 * Bytes an allocation writes to etcd (key with the default prefix + value) for a block its owner
 * fills lowest-first, at a given fill, with allocations a given number of milliseconds apart.
 */
public final class BlockBytes {
  private BlockBytes() {}

  /** The block as one value (version 1: what every change wrote before chunked blocks). */
  static int bytesAt(String pool, String block, int fill, long stepMillis) {
    Block b = filled(pool, block, fill, stepMillis);
    return ("/cluster-ipam/" + Keys.block(b.pool(), b.block())).length()
        + StateCodec.encode(b).length;
  }

  private static Block filled(String pool, String block, int fill, long stepMillis) {
    Block b =
        Block.empty(
            IpPrefix.parse(pool), IpPrefix.parse(block), Optional.empty(), Holder.of("host-0017"));
    long now = 1_796_000_000_000L;
    for (int i = 0; i < fill; i++) {
      now += stepMillis;
      b =
          b.pick(
                  Holder.parse("host-0017"),
                  AddressKind.ENDPOINT,
                  StandardAddressPolicy.LOWEST_FREE,
                  now,
                  0)
              .orElseThrow()
              .block();
    }
    return b;
  }

  /**
   * What the {@code fill}-th allocation writes as the engine stores it (a chunked block: its
   * summary and one chunk).
   */
  static int writtenAt(String pool, String block, int fill, long stepMillis) {
    BlockWrite stored = BlockCodec.write(filled(pool, block, fill - 1, stepMillis));
    Block before =
        stored.stored().reading(k -> java.util.Optional.ofNullable(stored.chunkPuts().get(k)));
    long now = 1_796_000_000_000L + fill * stepMillis;
    Block after =
        before
            .pick(
                Holder.parse("host-0017"),
                AddressKind.ENDPOINT,
                StandardAddressPolicy.LOWEST_FREE,
                now,
                0)
            .orElseThrow()
            .block();
    BlockWrite w = BlockCodec.write(after);
    String key = Keys.block(after.pool(), after.block());
    int n = w.valueChanged() ? ("/cluster-ipam/" + key).length() + w.value().length : 0;
    for (var e : w.chunkPuts().entrySet()) {
      n += ("/cluster-ipam/" + e.getKey()).length() + e.getValue().length;
    }
    return n;
  }

  public static void main(String[] args) {
    System.out.println("| block | addresses | allocations 1 ms apart | 1 s apart | 1 h apart |");
    System.out.println("|---|---|---|---|---|");
    for (int fill : new int[] {1, 32, 63}) {
      System.out.printf(
          "| IPv4 /26 | %d | %d B | %d B | %d B |%n",
          fill,
          bytesAt("10.80.0.0/16", "10.80.3.0/26", fill, 1),
          bytesAt("10.80.0.0/16", "10.80.3.0/26", fill, 1000),
          bytesAt("10.80.0.0/16", "10.80.3.0/26", fill, 3_600_000));
    }
    for (int fill : new int[] {512, 4096}) {
      System.out.printf(
          "| IPv6 /112 | %d | %d B | %d B | %d B |%n",
          fill,
          bytesAt("fd80:cafe:0:4::/64", "fd80:cafe:0:4::3:0/112", fill, 1),
          bytesAt("fd80:cafe:0:4::/64", "fd80:cafe:0:4::3:0/112", fill, 1000),
          bytesAt("fd80:cafe:0:4::/64", "fd80:cafe:0:4::3:0/112", fill, 3_600_000));
    }
    System.out.println();
    System.out.println(
        "Written per allocation as stored now (IPv4 /26: one value; IPv6 /112: summary + one chunk of 128 offsets):");
    System.out.println("| block | addresses | allocations 1 ms apart | 1 s apart | 1 h apart |");
    System.out.println("|---|---|---|---|---|");
    for (int fill : new int[] {1, 32, 63}) {
      System.out.printf(
          "| IPv4 /26 | %d | %d B | %d B | %d B |%n",
          fill,
          writtenAt("10.80.0.0/16", "10.80.3.0/26", fill, 1),
          writtenAt("10.80.0.0/16", "10.80.3.0/26", fill, 1000),
          writtenAt("10.80.0.0/16", "10.80.3.0/26", fill, 3_600_000));
    }
    for (int fill : new int[] {1, 128, 512, 4096, 16384}) {
      System.out.printf(
          "| IPv6 /112 | %d | %d B | %d B | %d B |%n",
          fill,
          writtenAt("fd80:cafe:0:4::/64", "fd80:cafe:0:4::3:0/112", fill, 1),
          writtenAt("fd80:cafe:0:4::/64", "fd80:cafe:0:4::3:0/112", fill, 1000),
          writtenAt("fd80:cafe:0:4::/64", "fd80:cafe:0:4::3:0/112", fill, 3_600_000));
    }
  }
}
