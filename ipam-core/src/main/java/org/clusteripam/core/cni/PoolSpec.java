package org.clusteripam.core.cni;

import java.util.Objects;
import java.util.Optional;
import org.clusteripam.core.ipam.InvalidRequestException;
import org.clusteripam.core.ipam.Names;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;
import org.clusteripam.core.net.IpPrefix;

/**
 * One address family of a CNI network: the shared named pool its addresses come from (like {@code
 * --ipam-opt network=NAME}), dynamic from the supernet unless {@code subnet} is given.
 *
 * @param ipRange where dynamic addresses come from, inside {@code subnet}
 * @param gateway the pool's gateway; by default the pool's own (its first address when it has none)
 */
public record PoolSpec(
    IpFamily family,
    String name,
    Optional<IpPrefix> subnet,
    Optional<IpPrefix> ipRange,
    Optional<IpAddress> gateway) {
  public PoolSpec {
    Objects.requireNonNull(family, "family");
    if (!Names.isValid(name, AttachmentId.MAX_NETWORK)) {
      throw new InvalidRequestException(
          Names.problem("pool name", AttachmentId.MAX_NETWORK, String.valueOf(name)));
    }
    if (subnet.isPresent() && subnet.get().family() != family) {
      throw new InvalidRequestException("subnet " + subnet.get() + " is not " + family);
    }
    if (ipRange.isPresent() && (subnet.isEmpty() || !subnet.get().contains(ipRange.get()))) {
      throw new InvalidRequestException(
          "range "
              + ipRange.get()
              + " needs a subnet that contains it"
              + subnet.map(s -> ", not " + s).orElse(""));
    }
    if (gateway.isPresent()
        && (gateway.get().family() != family
            || subnet.filter(s -> !s.contains(gateway.get())).isPresent())) {
      throw new InvalidRequestException(
          "gateway "
              + gateway.get()
              + " is not inside "
              + subnet.map(IpPrefix::toString).orElse("an " + family + " pool"));
    }
  }

  public static PoolSpec dynamic(IpFamily family, String name) {
    return new PoolSpec(family, name, Optional.empty(), Optional.empty(), Optional.empty());
  }
}
