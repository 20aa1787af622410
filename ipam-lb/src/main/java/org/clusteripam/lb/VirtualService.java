package org.clusteripam.lb;

import java.util.Objects;
import org.clusteripam.core.net.IpFamily;

/**
 * A virtual service: its key, scheduler, flags ({@code IP_VS_SVC_F_*}), persistence timeout in
 * seconds and persistence netmask (a mask for IPv4, a prefix length for IPv6). {@code stats} is
 * read from the kernel and ignored when writing.
 */
public record VirtualService(
    ServiceKey key, String scheduler, int flags, int timeout, int netmask, IpvsStats stats) {

  public static final int FLAG_PERSISTENT = 0x1;

  /** Set by the kernel on every service in its table; never meaningful to compare. */
  public static final int FLAG_HASHED = 0x2;

  public static final int FLAG_ONEPACKET = 0x4;

  public VirtualService {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(stats, "stats");
  }

  /** A service without persistence, as {@code ipvsadm -A ... -s scheduler} creates. */
  public static VirtualService of(ServiceKey key, String scheduler) {
    return new VirtualService(key, scheduler, 0, 0, defaultNetmask(key.family()), IpvsStats.ZERO);
  }

  /** ipvsadm's default persistence netmask: all ones for IPv4, /128 for IPv6. */
  public static int defaultNetmask(IpFamily family) {
    return family == IpFamily.IPV4 ? 0xffffffff : 128;
  }

  public VirtualService withScheduler(String newScheduler) {
    return new VirtualService(key, newScheduler, flags, timeout, netmask, stats);
  }

  /** Persistent for {@code seconds} (0 turns persistence off). */
  public VirtualService withPersistence(int seconds) {
    int f = seconds > 0 ? flags | FLAG_PERSISTENT : flags & ~FLAG_PERSISTENT;
    return new VirtualService(key, scheduler, f, seconds, netmask, stats);
  }

  /** The flags a user sets, without kernel bookkeeping bits. */
  public int userFlags() {
    return flags & ~FLAG_HASHED;
  }
}
