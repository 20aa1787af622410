package org.clusteripam.daemon.serve;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.clusteripam.core.ipam.AddressGrant;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.AddressSpaces;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.ConflictException;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.Ipam;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.reconcile.DockerState;
import org.clusteripam.core.reconcile.StaleHold;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets {@code docker start} of a container with {@code --ip X} succeed at once when this host's
 * release of X was lost (the daemon was down when Docker released it), instead of failing until
 * reconciliation frees X. On a conflict with the host's own hold ({@link ConflictException#selfHeld()}),
 * Docker is asked whether anything still uses X; only if nothing does and the hold is older than the
 * grace ({@link StaleHold}) is the hold released — conditionally, so an allocation made meanwhile is
 * kept — and the request retried once. Docker unreachable, or any doubt: the original refusal stands.
 */
public final class StaleHoldRecovery implements Ipam {
  private static final Logger LOG = LoggerFactory.getLogger(StaleHoldRecovery.class);

  private final Ipam delegate;
  private final Release release;
  private final Supplier<Optional<DockerState>> docker;
  private final Clock clock;
  private final Duration grace;

  /**
   * @param docker Docker's current networks on this host, or empty when they cannot be read now
   */
  public StaleHoldRecovery(DriverIpam engine, Supplier<Optional<DockerState>> docker, Clock clock, Duration grace) {
    this(engine, engine::releaseAddressIfUnchanged, docker, clock, grace);
  }

  /** The conditional release the recovery uses (a seam for tests). */
  @FunctionalInterface
  interface Release {
    boolean releaseAddressIfUnchanged(HostId host, PoolId pool, IpAddress address, long sinceMillis);
  }

  StaleHoldRecovery(Ipam delegate, Release release, Supplier<Optional<DockerState>> docker, Clock clock, Duration grace) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.release = Objects.requireNonNull(release, "release");
    this.docker = Objects.requireNonNull(docker, "docker");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.grace = Objects.requireNonNull(grace, "grace");
  }

  @Override
  public AddressGrant requestAddress(AddressRequest request) {
    try {
      return delegate.requestAddress(request);
    } catch (ConflictException e) {
      if (e.selfHeld().isEmpty() || request.preferred().isEmpty() || request.kind() != AddressKind.ENDPOINT) {
        throw e;
      }
      ConflictException.SelfHeld held = e.selfHeld().get();
      Optional<DockerState> state;
      long t0 = System.nanoTime();
      try {
        state = docker.get();
      } catch (RuntimeException dockerFailed) {
        LOG.warn("event=stale_hold_unverified pool={} address={} reason=\"{}\"", request.pool(), held.address(), dockerFailed.getMessage());
        state = Optional.empty();
      }
      long readMs = (System.nanoTime() - t0) / 1_000_000;
      if (state.isEmpty() || !StaleHold.isStale(state.get(), held.address(), held.sinceMillis(), clock.millis(), grace)) {
        throw e;
      }
      if (!release.releaseAddressIfUnchanged(request.host(), request.pool(), held.address(), held.sinceMillis())) {
        throw e; // changed meanwhile: let the caller see the conflict as it is now
      }
      LOG.info("event=stale_hold_released pool={} address={} held_since_ms={} docker_read_ms={} reason=\"no Docker endpoint uses it; its release was lost\"",
          request.pool(), held.address(), held.sinceMillis(), readMs);
      return delegate.requestAddress(request);
    }
  }

  @Override
  public AddressSpaces addressSpaces() {
    return delegate.addressSpaces();
  }

  @Override
  public PoolGrant requestPool(PoolRequest request) {
    return delegate.requestPool(request);
  }

  @Override
  public void releasePool(HostId host, PoolId pool) {
    delegate.releasePool(host, pool);
  }

  @Override
  public void releaseAddress(HostId host, PoolId pool, IpAddress address) {
    delegate.releaseAddress(host, pool, address);
  }
}
