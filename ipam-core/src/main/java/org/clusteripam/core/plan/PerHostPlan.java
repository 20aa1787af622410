package org.clusteripam.core.plan;

import java.math.BigInteger;
import java.util.List;

/**
 * The capacity of one network pool in per-host addressing ({@code --ipam-opt addressing=per-host}),
 * from {@link PerHostPlanner#plan}. The placeholder range is taken at the top of the pool (the
 * engine's default position).
 *
 * @param placeholders addresses of the placeholder range swarm's manager can be given (its
 *     broadcast address excluded)
 * @param taskPlaceholders what is left of them for tasks once every VIP-mode service has its swarm
 *     VIP and every node attached to the network its load-balancer address
 * @param hostBlocks host blocks outside the placeholder range
 * @param hostAddresses addresses of those blocks that can be handed out (the pool's network address
 *     excluded)
 * @param containersPerHostBlock container addresses in a typical host block: the block minus the
 *     host's own VIP of every service and its load-balancer endpoint
 * @param minContainersPerHostBlock the same in the first block (it also holds the pool's network
 *     address and gateway)
 * @param containersPerNetwork container addresses in all host blocks of the pool together
 */
public record PerHostPlan(
    PerHostInput input,
    BigInteger placeholders,
    BigInteger taskPlaceholders,
    BigInteger hostBlocks,
    BigInteger hostAddresses,
    BigInteger containersPerHostBlock,
    BigInteger minContainersPerHostBlock,
    BigInteger containersPerNetwork,
    List<Reservation> reservations,
    List<String> warnings) {

  public PerHostPlan {
    reservations = List.copyOf(reservations);
    warnings = List.copyOf(warnings);
  }

  public boolean fits() {
    return warnings.isEmpty();
  }
}
