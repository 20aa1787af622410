package org.clusteripam.core.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.ConflictException;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.IpamCall;
import org.clusteripam.core.ipam.IpamInterceptor;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.net.IpAddress;

/**
 * Lets {@code docker start} of a container with {@code --ip X} succeed at once when this host's
 * release of X was lost (the daemon was down when Docker released it), instead of failing until
 * reconciliation frees X. On a conflict with the host's own hold ({@link
 * ConflictException#selfHeld()}) the {@link DockerView} is asked whether anything still uses X;
 * only if nothing does and the hold is older than the grace ({@link StaleHold}) is the hold
 * released, conditionally (an allocation made meanwhile is kept), and the request retried once.
 * Docker unreadable, or any doubt: the original refusal stands.
 */
public final class StaleHoldRecovery implements IpamInterceptor {
  private final Release release;
  private final DockerView docker;
  private final Clock clock;
  private final Duration grace;
  private final Listener listener;

  /** The engine's conditional release ({@code DriverIpam::releaseAddressIfUnchanged}). */
  @FunctionalInterface
  public interface Release {
    boolean releaseAddressIfUnchanged(
        HostId host, PoolId pool, IpAddress address, long sinceMillis);
  }

  /** What the recovery did, for the caller's log. */
  public interface Listener {
    /** A stale hold was released and the request is retried. */
    void released(PoolId pool, IpAddress address, long heldSinceMillis);

    /** Docker could not be asked; the refusal stands. */
    void unverified(PoolId pool, IpAddress address, RuntimeException why);

    Listener NONE =
        new Listener() {
          @Override
          public void released(PoolId pool, IpAddress address, long heldSinceMillis) {}

          @Override
          public void unverified(PoolId pool, IpAddress address, RuntimeException why) {}
        };
  }

  public StaleHoldRecovery(
      Release release, DockerView docker, Clock clock, Duration grace, Listener listener) {
    this.release = Objects.requireNonNull(release, "release");
    this.docker = Objects.requireNonNull(docker, "docker");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.grace = Objects.requireNonNull(grace, "grace");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  @Override
  public Object intercept(Chain chain) {
    if (!(chain.call() instanceof IpamCall.RequestAddress call)) {
      return chain.proceed(chain.call());
    }
    AddressRequest request = call.request();
    try {
      return chain.proceed(call);
    } catch (ConflictException e) {
      if (e.selfHeld().isEmpty()
          || request.preferred().isEmpty()
          || request.kind() != AddressKind.ENDPOINT) {
        throw e;
      }
      ConflictException.SelfHeld held = e.selfHeld().get();
      Optional<DockerState> state;
      try {
        state = docker.current();
      } catch (RuntimeException dockerFailed) {
        listener.unverified(request.pool(), held.address(), dockerFailed);
        state = Optional.empty();
      }
      if (state.isEmpty()
          || !StaleHold.isStale(
              state.get(), held.address(), held.sinceMillis(), clock.millis(), grace)) {
        throw e;
      }
      if (!release.releaseAddressIfUnchanged(
          request.host(), request.pool(), held.address(), held.sinceMillis())) {
        throw e; // changed meanwhile: the caller sees the conflict as it is now
      }
      listener.released(request.pool(), held.address(), held.sinceMillis());
      return chain.proceed(call);
    }
  }
}
