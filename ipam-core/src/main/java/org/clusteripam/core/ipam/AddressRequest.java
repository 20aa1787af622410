package org.clusteripam.core.ipam;

import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.net.IpAddress;

/**
 * A RequestAddress call.
 *
 * @param preferred the exact address asked for (gateway, {@code --ip}, aux, or a swarm manager's
 *     assignment), or empty for "any free address"
 * @param serial a dynamic pick takes the next free address after the last one handed out in the
 *     block (wrapping) instead of the policy's pick: swarm's allocator asks for it
 * @param options the driver's other options, passed through for the record; no decision reads them;
 *     never null
 */
public record AddressRequest(
    HostId host,
    PoolId pool,
    Optional<IpAddress> preferred,
    AddressKind kind,
    boolean serial,
    Map<String, String> options) {
  public AddressRequest {
    options = Map.copyOf(options);
  }

  /** A request without serial allocation. */
  public AddressRequest(
      HostId host,
      PoolId pool,
      Optional<IpAddress> preferred,
      AddressKind kind,
      Map<String, String> options) {
    this(host, pool, preferred, kind, false, options);
  }
}
