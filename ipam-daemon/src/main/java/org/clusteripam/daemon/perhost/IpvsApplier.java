package org.clusteripam.daemon.perhost;

import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.LbDesiredState;
import org.clusteripam.lb.Ipvs;
import org.clusteripam.lb.IpvsException;
import org.clusteripam.lb.IpvsUnavailableException;
import org.clusteripam.lb.ServiceKey;
import org.clusteripam.lb.perhost.PerHostServices;
import org.clusteripam.lb.reconcile.DesiredService;
import org.clusteripam.lb.reconcile.DrainSysctls;
import org.clusteripam.lb.reconcile.LoadBalancerReconciler;
import org.clusteripam.lb.reconcile.ReconcileReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the plan to the kernel's IPVS table through ipam-lb: {@link PerHostServices} turns it
 * into IPVS services, {@link LoadBalancerReconciler} diffs and applies them (removed backends drain
 * at weight 0 first). IPVS is opened lazily and re-probed every pass while missing, so loading
 * {@code ip_vs} later needs no restart. {@code auto}: a kernel without IPVS means compute only,
 * logged once; {@code on}: it is an error, logged every pass.
 */
public final class IpvsApplier implements LbApplier {
  private static final Logger LOG = LoggerFactory.getLogger(IpvsApplier.class);

  /** IPVS scheduler of every service (ip_vs_rr ships with every IPVS kernel). */
  static final String SCHEDULER = "rr";

  /** How long a removed backend may keep active connections at weight 0 before it is deleted. */
  static final Duration DRAIN_GRACE = Duration.ofMinutes(2);

  private final LoadBalancerMode mode;
  private final Supplier<Ipvs> opener;
  private final Supplier<DrainSysctls> sysctls;
  private final Clock clock;
  private Ipvs ipvs;
  private LoadBalancerReconciler reconciler;
  private volatile Predicate<ServiceKey> managed = k -> false;
  private String unavailable;

  IpvsApplier(
      LoadBalancerMode mode, Supplier<Ipvs> opener, Supplier<DrainSysctls> sysctls, Clock clock) {
    if (mode == LoadBalancerMode.OFF) {
      throw new IllegalArgumentException(
          "--load-balancer off applies nothing: use LbApplier.none()");
    }
    this.mode = mode;
    this.opener = opener;
    this.sysctls = sysctls;
    this.clock = clock;
  }

  /** The applier of {@code --load-balancer MODE}: kernel IPVS for auto and on, nothing for off. */
  public static LbApplier forMode(LoadBalancerMode mode, Clock clock) {
    return mode == LoadBalancerMode.OFF
        ? LbApplier.none()
        : new IpvsApplier(mode, Ipvs::open, DrainSysctls::system, clock);
  }

  @Override
  public synchronized boolean apply(LbDesiredState state, Collection<IpPrefix> managedPools) {
    List<DesiredService> desired = PerHostServices.desiredServices(state, SCHEDULER);
    if (ipvs == null && !open()) {
      return false;
    }
    managed = PerHostServices.managedBy(managedPools);
    ReconcileReport report;
    try {
      report = reconciler.reconcile(desired, clock.instant());
    } catch (IpvsUnavailableException e) {
      closeIpvs();
      unavailable(e.getMessage());
      return false;
    }
    if (!report.applied().isEmpty() || !report.errors().isEmpty()) {
      LOG.info(
          "event=lb_applied changes={} errors={} draining={}",
          report.applied().size(),
          report.errors().size(),
          report.draining());
    }
    if (!report.errors().isEmpty()) {
      throw new LbApplyException(
          report.errors().size()
              + " IPVS change(s) refused, first: "
              + report.errors().get(0).getMessage(),
          report.errors().get(0));
    }
    return true;
  }

  private boolean open() {
    try {
      ipvs = opener.get();
    } catch (RuntimeException | LinkageError e) {
      unavailable(e.getMessage() == null ? e.toString() : e.getMessage());
      return false;
    }
    DrainSysctls drain = sysctls.get();
    try {
      drain.apply();
    } catch (UncheckedIOException | SecurityException e) {
      // A plugin sees /proc/sys read-only: draining still works, connections to a deleted
      // destination just are not expired at once.
      LOG.warn(
          "event=lb_drain_sysctls_unavailable error=\"{}\" action=\"IPVS is programmed without them\"",
          e.getMessage());
      drain = null;
    }
    reconciler = new LoadBalancerReconciler(ipvs, DRAIN_GRACE, key -> managed.test(key), drain);
    LOG.info(
        "event=lb_available mode={} scheduler={}",
        mode.name().toLowerCase(java.util.Locale.ROOT),
        SCHEDULER);
    unavailable = null;
    return true;
  }

  private void unavailable(String reason) {
    if (mode == LoadBalancerMode.ON) {
      LOG.error(
          "event=lb_unavailable mode=on reason=\"{}\" action=\"computing only; retrying next pass\"",
          reason);
    } else if (!reason.equals(unavailable)) {
      LOG.info(
          "event=lb_unavailable reason=\"{}\" action=\"computing the desired state only (--load-balancer auto)\"",
          reason);
    }
    unavailable = reason;
  }

  private void closeIpvs() {
    if (ipvs != null) {
      ipvs.close();
    }
    ipvs = null;
    reconciler = null;
  }

  @Override
  public synchronized void close() {
    closeIpvs();
  }

  /** The kernel refused some of the changes (e.g. EPERM without CAP_NET_ADMIN). */
  public static final class LbApplyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LbApplyException(String message, IpvsException cause) {
      super(message, cause);
    }
  }
}
