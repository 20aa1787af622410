package org.clusteripam.core.ipam;

import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.net.IpAddress;

/**
 * A RequestAddress call.
 *
 * @param preferred the exact address asked for (gateway, {@code --ip}, aux, or a swarm manager's
 *     assignment), or empty for "any free address"
 * @param options request options with {@code RequestAddressType} removed and reflected in {@code
 *     kind}; never null. {@code com.docker.network.ipam.serial=true} asks for serial allocation.
 */
public record AddressRequest(HostId host, PoolId pool, Optional<IpAddress> preferred, AddressKind kind, Map<String, String> options) {
  public AddressRequest {
    options = Map.copyOf(options);
  }
}
