package org.clusteripam.core.plan;

import java.math.BigInteger;
import java.util.List;

/**
 * The result of {@link CapacityPlanner#plan}: how many networks, hosts and addresses the parameters
 * give, every reserved address accounted for, and warnings when they do not fit.
 *
 * @param networks network pools the supernet holds
 * @param addressesPerNetwork addresses in each network pool
 * @param hostsPerNetwork host blocks in each network
 * @param addressesPerHost addresses in each host block
 * @param serviceVipsPerHost service VIPs every host block keeps
 * @param containerAddressesPerHost container addresses in a typical host block (not holding the
 *     network's own reserved addresses)
 * @param minContainerAddressesPerHost container addresses in the worst host block of a network (the
 *     one holding the network address and gateway, or the broadcast address)
 * @param containerAddressesPerNetwork container addresses in one network, all host blocks together
 * @param totalContainerAddresses container addresses in the whole supernet
 * @param reservations every reserved address, explained
 * @param warnings ways in which the parameters do not fit; empty when they do
 */
public record CapacityPlan(
    CapacityInput input,
    BigInteger networks,
    BigInteger addressesPerNetwork,
    BigInteger hostsPerNetwork,
    BigInteger addressesPerHost,
    BigInteger serviceVipsPerHost,
    BigInteger containerAddressesPerHost,
    BigInteger minContainerAddressesPerHost,
    BigInteger containerAddressesPerNetwork,
    BigInteger totalContainerAddresses,
    List<Reservation> reservations,
    List<String> warnings) {

  public CapacityPlan {
    reservations = List.copyOf(reservations);
    warnings = List.copyOf(warnings);
  }

  /** True when every host block has room for at least one container. */
  public boolean fits() {
    return warnings.isEmpty();
  }
}
