package org.clusteripam.lb.route;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.lb.netlink.NetlinkException;

/**
 * Makes this protocol's local routes equal a desired set of prefixes (VIPs as /32 or /128), so IPVS
 * sees packets to them. A prefix already local by another route (an interface address) needs none;
 * other protocols' local routes are never changed.
 */
public final class LocalSync {
  private final Routes routes;

  public LocalSync(Routes routes) {
    this.routes = routes;
  }

  /** What one sync did; {@code errors} by prefix. */
  public record Report(List<IpPrefix> added, List<IpPrefix> removed, Map<IpPrefix, String> errors) {
    public Report {
      added = List.copyOf(added);
      removed = List.copyOf(removed);
      errors = Map.copyOf(errors);
    }

    public boolean changed() {
      return !added.isEmpty() || !removed.isEmpty();
    }
  }

  public Report sync(Collection<IpPrefix> desired) {
    TreeSet<IpPrefix> want = new TreeSet<>(desired);
    Routes.LocalTable table = routes.localTable();
    TreeSet<IpPrefix> mine = new TreeSet<>(table.mine());
    TreeSet<IpPrefix> others = new TreeSet<>(table.others());
    List<IpPrefix> added = new ArrayList<>();
    List<IpPrefix> removed = new ArrayList<>();
    Map<IpPrefix, String> errors = new TreeMap<>();
    for (IpPrefix p : want) {
      if (mine.contains(p) || others.contains(p)) {
        continue;
      }
      try {
        routes.addLocal(p);
        added.add(p);
      } catch (NetlinkException e) {
        errors.put(p, e.getMessage());
      }
    }
    for (IpPrefix p : mine) {
      if (!want.contains(p)) {
        try {
          routes.deleteLocal(p);
          removed.add(p);
        } catch (NetlinkException e) {
          errors.put(p, e.getMessage());
        }
      }
    }
    return new Report(added, removed, errors);
  }
}
