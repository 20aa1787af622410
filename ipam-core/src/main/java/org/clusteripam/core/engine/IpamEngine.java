package org.clusteripam.core.engine;

import java.time.Clock;
import java.util.Objects;
import org.clusteripam.core.cni.CniIpam;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.HostAddressing;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.store.StateStore;

/**
 * The cluster IPAM over a {@link StateStore}, opened once; each caller takes the facet it needs:
 * {@link #driver()} (Docker's driver calls, the conditional release and housekeeping of
 * reconciliation), {@link #perHost()} (per-host addressing: catalog, placeholders, service VIPs,
 * load-balancer state, routes), {@link #cni(HostId)} (one host's CNI attachments) and {@link
 * #queries()} (read-only snapshots). All facets share one engine and its caches; all state lives in
 * the store, so every facet is thread-safe.
 */
public final class IpamEngine {
  private final ClusterIpam engine;
  private final java.util.concurrent.ConcurrentHashMap<HostId, CniIpam> cni =
      new java.util.concurrent.ConcurrentHashMap<>();

  private IpamEngine(ClusterIpam engine) {
    this.engine = engine;
  }

  /**
   * Opens the engine and records (or checks) the carving parameters in the store.
   *
   * @param clock the only time the engine reads (cooldowns, replay windows, allocation times)
   * @throws ConfigMismatchException when the store was carved with other parameters
   */
  public static IpamEngine open(StateStore store, IpamConfig config, Clock clock) {
    return new IpamEngine(new ClusterIpam(store, config, clock));
  }

  /** Docker's driver calls, with the conditional release and housekeeping reconciliation needs. */
  public DriverIpam driver() {
    return engine;
  }

  /**
   * Per-host addressing: catalog, placeholder mappings, service VIPs, load-balancer state, routes.
   */
  public HostAddressing perHost() {
    return engine;
  }

  /** The CNI attachments of {@code node} (one facet per host, with its caches). */
  public CniIpam cni(HostId node) {
    return cni.computeIfAbsent(
        Objects.requireNonNull(node, "node"), n -> CniAttachments.of(engine, n, engine.clock()));
  }

  /**
   * Read-only snapshots of the store (for the CLI, metrics and reconciliation; never on a request
   * path).
   */
  public IpamQueries queries() {
    return engine.queries();
  }

  /** The configuration the engine was opened with. */
  public IpamConfig config() {
    return engine.config();
  }
}
