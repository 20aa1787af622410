package org.clusteripam.sim;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;

/**
 * Who holds each address by the replies the hosts got; an address handed out twice at once is a
 * duplicate.
 */
final class Ledger {
  final ConcurrentHashMap<IpAddress, HostId> holder = new ConcurrentHashMap<>();
  final List<String> duplicates = new CopyOnWriteArrayList<>();

  /** Records a grant; false (and a duplicate noted) if another host holds it. */
  boolean granted(IpAddress a, HostId h) {
    HostId prev = holder.putIfAbsent(a, h);
    if (prev != null) {
      duplicates.add(a + " held by " + prev + " and given to " + h);
      return false;
    }
    return true;
  }

  /** Called before the release is sent: once it commits, another host may get the address. */
  void releasing(IpAddress a) {
    holder.remove(a);
  }
}
