package org.clusteripam.lb.route;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.lb.netlink.NetlinkException;

/**
 * Makes the main table's routes of one protocol equal a desired set: one dump, then an add, replace
 * or delete per difference. A destination that another protocol's route already covers exactly is
 * left alone and reported (replacing it would overwrite a route that is not ours). One failed write
 * does not stop the others.
 */
public final class RouteSync {
  private final Routes routes;

  public RouteSync(Routes routes) {
    this.routes = routes;
  }

  /** What one sync did; {@code errors} by destination. */
  public record Report(
      List<Route> added,
      List<Route> replaced,
      List<IpPrefix> removed,
      List<Route> conflicts,
      Map<IpPrefix, String> errors) {
    public Report {
      added = List.copyOf(added);
      replaced = List.copyOf(replaced);
      removed = List.copyOf(removed);
      conflicts = List.copyOf(conflicts);
      errors = Map.copyOf(errors);
    }

    public boolean changed() {
      return !added.isEmpty() || !replaced.isEmpty() || !removed.isEmpty();
    }
  }

  /**
   * @throws IllegalArgumentException two desired routes to one destination
   */
  public Report sync(Collection<Route> desired) {
    Map<IpPrefix, Route> want = new TreeMap<>();
    for (Route r : desired) {
      Route old = want.put(r.destination(), r);
      if (old != null && !old.equals(r)) {
        throw new IllegalArgumentException(
            "two routes to "
                + r.destination()
                + ": via "
                + old.gateway()
                + " and via "
                + r.gateway());
      }
    }
    Routes.MainTable table = routes.mainTable();
    Map<IpPrefix, List<KernelRoute>> mine = new TreeMap<>();
    table.mine().forEach(k -> mine.computeIfAbsent(k.destination(), d -> new ArrayList<>()).add(k));
    TreeSet<IpPrefix> foreign = new TreeSet<>();
    table.others().forEach(k -> foreign.add(k.destination()));

    List<Route> added = new ArrayList<>();
    List<Route> replaced = new ArrayList<>();
    List<IpPrefix> removed = new ArrayList<>();
    List<Route> conflicts = new ArrayList<>();
    Map<IpPrefix, String> errors = new TreeMap<>();
    for (Route r : want.values()) {
      List<KernelRoute> present = mine.getOrDefault(r.destination(), List.of());
      if (present.size() == 1 && present.get(0).asRoute().equals(Optional.of(r))) {
        continue;
      }
      if (foreign.contains(r.destination())) {
        conflicts.add(r);
        continue;
      }
      try {
        if (present.size() == 1) {
          routes.replace(r); // ours alone holds this destination: overwritten in place
          replaced.add(r);
        } else {
          for (int i = 0; i < present.size(); i++) {
            routes.delete(r.destination());
          }
          routes.add(r);
          added.add(r);
        }
      } catch (NetlinkException e) {
        errors.put(r.destination(), e.getMessage());
      }
    }
    for (Map.Entry<IpPrefix, List<KernelRoute>> e : mine.entrySet()) {
      if (want.containsKey(e.getKey())) {
        continue;
      }
      try {
        for (int i = 0; i < e.getValue().size(); i++) {
          routes.delete(e.getKey());
        }
        removed.add(e.getKey());
      } catch (NetlinkException ex) {
        errors.put(e.getKey(), ex.getMessage());
      }
    }
    return new Report(added, replaced, removed, conflicts, errors);
  }
}
