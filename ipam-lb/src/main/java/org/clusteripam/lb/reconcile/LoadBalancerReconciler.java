package org.clusteripam.lb.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.clusteripam.lb.Destination;
import org.clusteripam.lb.ForwardMethod;
import org.clusteripam.lb.Ipvs;
import org.clusteripam.lb.IpvsException;
import org.clusteripam.lb.IpvsOp;
import org.clusteripam.lb.IpvsStats;
import org.clusteripam.lb.ServiceKey;
import org.clusteripam.lb.VirtualService;
import org.clusteripam.lb.netlink.Errnos;

/**
 * Makes the kernel's IPVS table match a desired state, idempotently: read the table, diff, apply
 * the difference in batches. A destination that is no longer desired is drained first (weight 0, no
 * new connections) and deleted on a later pass once it has no active connections or has drained for
 * the grace period. A service no longer desired goes the same way: its destinations drain, then it
 * is deleted. Only services accepted by {@code managed} are touched. Time is an argument of {@link
 * #reconcile}; drain start times are remembered between passes (one instance per table).
 */
public final class LoadBalancerReconciler {
  private final Ipvs ipvs;
  private final Duration grace;
  private final Predicate<ServiceKey> managed;
  private final DrainSysctls sysctls;
  private final Map<DrainId, Instant> drainingSince = new HashMap<>();

  private record DrainId(ServiceKey key, Endpoint endpoint) {}

  /**
   * @param grace how long a drained destination may keep active connections before deletion
   * @param managed which services in the table belong to this reconciler
   * @param sysctls the drain sysctls to maintain, or null to leave them alone
   */
  public LoadBalancerReconciler(
      Ipvs ipvs, Duration grace, Predicate<ServiceKey> managed, DrainSysctls sysctls) {
    this.ipvs = Objects.requireNonNull(ipvs, "ipvs");
    this.grace = Objects.requireNonNull(grace, "grace");
    this.managed = Objects.requireNonNull(managed, "managed");
    this.sysctls = sysctls;
  }

  /** One pass: returns what changed; call again (e.g. periodically) until {@code converged()}. */
  public synchronized ReconcileReport reconcile(
      Collection<DesiredService> desiredServices, Instant now) {
    Map<ServiceKey, DesiredService> desired = new LinkedHashMap<>();
    for (DesiredService d : desiredServices) {
      if (desired.put(d.key(), d) != null) {
        throw new IllegalArgumentException("service listed twice: " + d.key());
      }
    }
    List<SysctlSetting> sysctlReport = sysctls == null ? List.of() : sysctls.apply();

    Map<ServiceKey, VirtualService> actual = new LinkedHashMap<>();
    for (VirtualService s : ipvs.services()) {
      if (desired.containsKey(s.key()) || managed.test(s.key())) {
        actual.put(s.key(), s);
      }
    }

    List<IpvsOp> serviceOps = new ArrayList<>();
    List<IpvsOp> destinationOps = new ArrayList<>();
    List<IpvsOp> serviceDeletes = new ArrayList<>();
    int draining = 0;

    for (DesiredService d : desired.values()) {
      VirtualService current = actual.get(d.key());
      if (current == null) {
        serviceOps.add(new IpvsOp.AddService(d.service()));
      } else if (!sameSettings(current, d.service())) {
        serviceOps.add(new IpvsOp.UpdateService(d.service()));
      }
    }

    for (ServiceKey key : union(desired.keySet(), actual.keySet())) {
      DesiredService d = desired.get(key);
      Map<Endpoint, Destination> current = new LinkedHashMap<>();
      if (actual.containsKey(key)) {
        for (Destination dest : ipvs.destinations(key)) {
          current.put(new Endpoint(dest.address(), dest.port()), dest);
        }
      }
      Map<Endpoint, Backend> wanted = new LinkedHashMap<>();
      if (d != null) {
        for (Backend b : d.backends()) {
          wanted.put(b.endpoint(), b);
        }
      }
      for (Backend b : wanted.values()) {
        Destination want = destination(b, d.forward());
        Destination have = current.get(b.endpoint());
        drainingSince.remove(new DrainId(key, b.endpoint()));
        if (have == null) {
          destinationOps.add(new IpvsOp.AddDestination(key, want));
        } else if (have.weight() != b.weight() || !sameForward(have.forward(), d.forward())) {
          destinationOps.add(new IpvsOp.UpdateDestination(key, want));
        }
      }
      int remaining = 0;
      for (Map.Entry<Endpoint, Destination> e : current.entrySet()) {
        if (wanted.containsKey(e.getKey())) {
          continue;
        }
        DrainId id = new DrainId(key, e.getKey());
        Destination have = e.getValue();
        if (have.weight() != 0) {
          destinationOps.add(new IpvsOp.UpdateDestination(key, have.withWeight(0)));
          drainingSince.putIfAbsent(id, now);
          draining++;
          remaining++;
        } else {
          Instant since = drainingSince.computeIfAbsent(id, k -> now);
          if (have.activeConnections() == 0 || !now.isBefore(since.plus(grace))) {
            destinationOps.add(new IpvsOp.DeleteDestination(key, have));
            drainingSince.remove(id);
          } else {
            draining++;
            remaining++;
          }
        }
      }
      if (d == null) {
        if (remaining == 0) {
          serviceDeletes.add(new IpvsOp.DeleteService(key));
        } else {
          draining++; // the service itself waits for its destinations
        }
      }
    }

    List<IpvsOp> applied = new ArrayList<>();
    List<IpvsException> errors = new ArrayList<>();
    apply(serviceOps, applied, errors);
    apply(destinationOps, applied, errors);
    apply(serviceDeletes, applied, errors);
    return new ReconcileReport(applied, errors, draining, sysctlReport);
  }

  /** Applies a batch; repeats what raced with another writer in its other form, once. */
  private void apply(List<IpvsOp> ops, List<IpvsOp> applied, List<IpvsException> errors) {
    if (ops.isEmpty()) {
      return;
    }
    List<IpvsOp> retries = new ArrayList<>();
    for (Ipvs.Result r : ipvs.apply(ops)) {
      if (r.ok()) {
        applied.add(r.op());
        continue;
      }
      IpvsOp retry = alternative(r.op(), r.errno());
      if (retry == r.op()) {
        continue; // already in the wanted state
      }
      if (retry != null) {
        retries.add(retry);
      } else {
        errors.add(r.exception());
      }
    }
    for (Ipvs.Result r : ipvs.apply(retries)) {
      if (r.ok()) {
        applied.add(r.op());
      } else {
        errors.add(r.exception());
      }
    }
  }

  /** The op to try instead after a refusal; {@code op} itself if nothing is left to do; or null. */
  private static IpvsOp alternative(IpvsOp op, int errno) {
    if (op instanceof IpvsOp.AddService a && errno == Errnos.EEXIST) {
      return new IpvsOp.UpdateService(a.service());
    }
    if (op instanceof IpvsOp.UpdateService u && errno == Errnos.ESRCH) {
      return new IpvsOp.AddService(u.service());
    }
    if (op instanceof IpvsOp.AddDestination a && errno == Errnos.EEXIST) {
      return new IpvsOp.UpdateDestination(a.key(), a.destination());
    }
    if (op instanceof IpvsOp.UpdateDestination u && errno == Errnos.ENOENT) {
      return u.destination().weight() == 0
          ? op
          : new IpvsOp.AddDestination(u.key(), u.destination());
    }
    if ((op instanceof IpvsOp.DeleteDestination || op instanceof IpvsOp.DeleteService)
        && (errno == Errnos.ENOENT || errno == Errnos.ESRCH)) {
      return op;
    }
    return null;
  }

  private static boolean sameSettings(VirtualService have, VirtualService want) {
    return have.scheduler().equals(want.scheduler())
        && have.userFlags() == want.userFlags()
        && have.timeout() == want.timeout()
        && have.netmask() == want.netmask();
  }

  /** The kernel reports a masq destination that is a local address as LOCAL. */
  private static boolean sameForward(ForwardMethod have, ForwardMethod want) {
    return have == want || (have == ForwardMethod.LOCAL && want == ForwardMethod.MASQ);
  }

  private static Destination destination(Backend b, ForwardMethod forward) {
    return new Destination(
        b.address(), b.port(), forward, b.weight(), 0, 0, 0, 0, 0, IpvsStats.ZERO);
  }

  private static List<ServiceKey> union(Collection<ServiceKey> a, Collection<ServiceKey> b) {
    List<ServiceKey> out = new ArrayList<>(a);
    for (ServiceKey k : b) {
      if (!a.contains(k)) {
        out.add(k);
      }
    }
    return out;
  }
}
