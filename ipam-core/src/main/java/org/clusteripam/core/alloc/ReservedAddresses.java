package org.clusteripam.core.alloc;

import java.util.Optional;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;

/**
 * The addresses of a pool that are never handed out: its network address, the IPv4 broadcast
 * address (except in /31 and /32 pools), and the all-ones interface identifier of a /64 block (the
 * top of RFC 2526's reserved subnet anycast range), as Docker keeps them out.
 */
public final class ReservedAddresses {
  private ReservedAddresses() {}

  /** True for the pool's network (and IPv4 broadcast) address. */
  public static boolean isReserved(IpPrefix pool, IpAddress a) {
    if (pool.hostBits() < 2) {
      return false;
    }
    return a.equals(pool.first()) || (pool.family() == IpFamily.IPV4 && a.equals(pool.last()));
  }

  /**
   * Why {@code a} can never be handed out in a block of {@code blockLength} inside {@code pool}, if
   * so.
   */
  public static Optional<String> reservedReason(IpPrefix pool, int blockLength, IpAddress a) {
    if (isReserved(pool, a)) {
      return Optional.of(a.equals(pool.first()) ? "network" : "broadcast");
    }
    IpPrefix b = IpPrefix.containing(a, blockLength);
    if (b.hostBits() == 64 && a.equals(b.last())) {
      return Optional.of("reserved subnet anycast (RFC 2526)");
    }
    return Optional.empty();
  }
}
