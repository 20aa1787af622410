package org.clusteripam.core.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.clusteripam.core.ipam.Holder;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * The pure decision of reconciliation: compares Docker with the store and says what is missing,
 * conflicting or leaked, and which leaks may be released now. No I/O, no clock.
 *
 * <p>A leak is released only when all guards hold (Calico and whereabouts freed live addresses by
 * skipping them):
 *
 * <ol>
 *   <li>the record was last written before {@code store.revision()}, the revision taken BEFORE
 *       Docker was read (a newer record may belong to an endpoint Docker is still creating);
 *   <li>it was seen leaked in at least two consecutive passes, as the same allocation (generation);
 *   <li>the first sighting is at least {@code grace} old;
 *   <li>Docker does not hold the address in this pass (live addresses are never candidates), and it
 *       is not the gateway of a network Docker still has.
 * </ol>
 *
 * <p>Only this host's holds are released: an address or pool also held by other hosts or by the
 * swarm allocator ({@code @global}) keeps their holds.
 */
public final class LeakDecider {
  /** Sightings a leak needs before release, and a missing record before it is re-recorded. */
  public static final int SIGHTINGS = 2;

  private LeakDecider() {}

  /**
   * @param findings every difference seen in this pass
   * @param releasable the leaks (addresses first, then pools) whose guards all hold
   * @param suspects the sightings to pass to the next call
   */
  public record Decision(
      List<Finding> findings, List<Finding> releasable, Map<String, Suspect> suspects) {
    public Decision {
      findings = List.copyOf(findings);
      releasable = List.copyOf(releasable);
      suspects = Map.copyOf(suspects);
    }

    /** Missing records to write now: all of them at startup, later only those seen twice. */
    public List<Finding> recordable(boolean startup) {
      return findings.stream()
          .filter(f -> f instanceof Finding.MissingPool || f instanceof Finding.MissingAddress)
          .filter(f -> startup || suspects.get(f.key()).sightings() >= SIGHTINGS)
          .toList();
    }

    public <T extends Finding> List<T> of(Class<T> kind) {
      return findings.stream().filter(kind::isInstance).map(kind::cast).toList();
    }
  }

  public static Decision decide(
      HostId host,
      StoreView store,
      DockerState docker,
      Map<String, Suspect> previous,
      Instant now,
      Duration grace) {
    Holder me = Holder.of(host);
    Map<IpPrefix, DockerNetwork> bySubnet = new HashMap<>();
    for (DockerNetwork n : docker.networks()) {
      n.subnets().forEach(s -> bySubnet.put(s, n));
    }
    Map<IpPrefix, StoredPool> poolsBySubnet = new HashMap<>();
    Map<PoolId, StoredPool> poolsById = new HashMap<>();
    for (StoredPool p : store.pools()) {
      poolsById.put(p.id(), p);
      poolsBySubnet.put(p.subnet(), p);
    }
    Map<PoolId, Map<IpAddress, StoredAddress>> addressesByPool = new HashMap<>();
    for (StoredAddress a : store.addresses()) {
      addressesByPool.computeIfAbsent(a.pool(), k -> new HashMap<>()).put(a.address(), a);
    }

    List<Finding> findings = new ArrayList<>();
    // Rule 1 (and conflicts): what Docker has that the store lacks.
    for (DockerNetwork n : docker.networks()) {
      for (IpPrefix subnet : n.subnets()) {
        StoredPool pool = poolsBySubnet.get(subnet);
        if (pool != null && !pool.heldByHost() && n.swarm()) {
          // a swarm network's pool is the swarm allocator's (@global) until a task runs here
          continue;
        }
        if (pool == null || !pool.heldByHost()) {
          findings.add(
              new Finding.MissingPool(
                  n.name(), subnet, java.util.Optional.ofNullable(n.ipRanges().get(subnet))));
          continue;
        }
        Map<IpAddress, StoredAddress> stored = addressesByPool.getOrDefault(pool.id(), Map.of());
        for (IpAddress a : sorted(n.live())) {
          if (!subnet.contains(a)) {
            continue;
          }
          StoredAddress s = stored.get(a);
          if (s == null || s.holders().stream().noneMatch(Holder::isHost)) {
            findings.add(
                new Finding.MissingAddress(n.name(), pool.id(), a, n.gateways().contains(a)));
          } else if (!s.holders().contains(me)) {
            findings.add(new Finding.ConflictingAddress(n.name(), pool.id(), a, s.holders()));
          }
        }
      }
    }
    // Rules 2 and 3: this host's holds that Docker no longer has.
    for (StoredAddress a : store.addresses()) {
      StoredPool pool = poolsById.get(a.pool());
      if (pool == null || !a.holders().contains(me)) {
        continue;
      }
      DockerNetwork n = bySubnet.get(pool.subnet());
      if (n != null && a.gateway()) {
        // Docker hides gateways it chose itself (no --gateway): it is live while the network is
        continue;
      }
      if (n == null || !n.live().contains(a.address())) {
        findings.add(
            new Finding.LeakedAddress(a.pool(), a.address(), a.modRevision(), a.generation()));
      }
    }
    for (StoredPool p : store.pools()) {
      if (p.heldByHost() && !bySubnet.containsKey(p.subnet())) {
        findings.add(new Finding.LeakedPool(p.id(), p.subnet(), p.modRevision()));
      }
    }

    Map<String, Suspect> suspects = new HashMap<>();
    List<Finding> releasable = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Finding f : findings) {
      if (!seen.add(f.key())) {
        continue;
      }
      Suspect before = previous.get(f.key());
      if (modRevision(f) >= store.revision()) {
        // Written after the revision taken before reading Docker: Docker may not know it yet. Not a
        // sighting; keep what was known so an unrelated write in the same block does not reset it.
        if (before != null && before.generation() == generation(f)) {
          suspects.put(f.key(), before);
        }
        continue;
      }
      Suspect current =
          before != null && before.generation() == generation(f)
              ? new Suspect(before.firstSeen(), before.sightings() + 1, generation(f))
              : new Suspect(now, 1, generation(f));
      suspects.put(f.key(), current);
      boolean leak = f instanceof Finding.LeakedAddress || f instanceof Finding.LeakedPool;
      if (leak
          && current.sightings() >= SIGHTINGS
          && !current.firstSeen().plus(grace).isAfter(now)) {
        releasable.add(f);
      }
    }
    // Addresses before pools: releasing a pool may free the pool and its addresses at once.
    releasable.sort(
        (x, y) ->
            Boolean.compare(x instanceof Finding.LeakedPool, y instanceof Finding.LeakedPool));
    return new Decision(findings, releasable, suspects);
  }

  private static long modRevision(Finding f) {
    if (f instanceof Finding.LeakedAddress l) {
      return l.modRevision();
    }
    if (f instanceof Finding.LeakedPool l) {
      return l.modRevision();
    }
    return -1; // missing and conflicting records are Docker's, not the store's
  }

  private static long generation(Finding f) {
    return f instanceof Finding.LeakedAddress l ? l.generation() : 0;
  }

  private static List<IpAddress> sorted(Set<IpAddress> s) {
    List<IpAddress> l = new ArrayList<>(s);
    l.sort(null);
    return l;
  }
}
