package org.clusteripam.dns;

import java.util.List;
import org.clusteripam.core.net.IpAddress;

/** What the resolver says to one question. */
public sealed interface DnsAnswer {
  /**
   * The name is ours: these addresses (of the question's family; none is NODATA), valid for {@code
   * ttlSeconds}.
   */
  record Addresses(List<IpAddress> addresses, int ttlSeconds) implements DnsAnswer {
    public Addresses {
      addresses = List.copyOf(addresses);
      if (ttlSeconds < 0) {
        throw new IllegalArgumentException("TTL must not be negative, got " + ttlSeconds);
      }
    }
  }

  /** Not a name of ours: REFUSED, so Docker's embedded DNS asks its next server. */
  record NotOurs() implements DnsAnswer {}
}
