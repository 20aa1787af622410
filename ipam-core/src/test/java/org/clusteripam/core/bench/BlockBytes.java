package org.clusteripam.core.bench;

import java.util.Optional;
import org.clusteripam.core.alloc.StandardAddressPolicy;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Block;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.StateCodec;

/**
 * Bytes an allocation writes to etcd (key with the default prefix + value) for a block its owner
 * fills lowest-first, at a given fill, with allocations a given number of milliseconds apart.
 */
public final class BlockBytes {
  private BlockBytes() {}

  static int bytesAt(String pool, String block, int fill, long stepMillis) {
    Block b = Block.empty(IpPrefix.parse(pool), IpPrefix.parse(block), Optional.empty(), "host-0017");
    long now = 1_796_000_000_000L;
    for (int i = 0; i < fill; i++) {
      now += stepMillis;
      b = b.pick("host-0017", AddressKind.ENDPOINT, StandardAddressPolicy.LOWEST_FREE, now, 0).orElseThrow().block();
    }
    return ("/cluster-ipam/" + Keys.block(b.pool(), b.block())).length() + StateCodec.encode(b).length;
  }

  public static void main(String[] args) {
    System.out.println("| block | addresses | allocations 1 ms apart | 1 s apart | 1 h apart |");
    System.out.println("|---|---|---|---|---|");
    for (int fill : new int[] {1, 32, 63}) {
      System.out.printf("| IPv4 /26 | %d | %d B | %d B | %d B |%n", fill, bytesAt("10.80.0.0/16", "10.80.3.0/26", fill, 1),
          bytesAt("10.80.0.0/16", "10.80.3.0/26", fill, 1000), bytesAt("10.80.0.0/16", "10.80.3.0/26", fill, 3_600_000));
    }
    for (int fill : new int[] {512, 4096}) {
      System.out.printf("| IPv6 /112 | %d | %d B | %d B | %d B |%n", fill, bytesAt("fd80:cafe:0:4::/64", "fd80:cafe:0:4::3:0/112", fill, 1),
          bytesAt("fd80:cafe:0:4::/64", "fd80:cafe:0:4::3:0/112", fill, 1000), bytesAt("fd80:cafe:0:4::/64", "fd80:cafe:0:4::3:0/112", fill, 3_600_000));
    }
  }
}
