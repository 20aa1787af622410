package org.clusteripam.core.cni;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.clusteripam.core.ipam.InvalidRequestException;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;

/**
 * A CNI ADD: one address per pool (one pool per family), all or none.
 *
 * @param netns {@code CNI_NETNS}, recorded so that reconciliation can tell when it is gone
 * @param bootId the host's boot id at ADD: an attachment of an earlier boot is a leak
 * @param requested addresses asked for (at most one per family), each from its family's pool
 */
public record AddRequest(
    AttachmentId id, String netns, String bootId, List<PoolSpec> pools, List<IpAddress> requested) {
  public AddRequest {
    Objects.requireNonNull(id, "id");
    netns = netns == null ? "" : netns;
    bootId = bootId == null ? "" : bootId;
    pools = List.copyOf(pools);
    requested = List.copyOf(requested);
    if (pools.isEmpty()) {
      throw new InvalidRequestException("a CNI network needs at least one pool");
    }
    Set<IpFamily> families = new HashSet<>();
    for (PoolSpec p : pools) {
      if (!families.add(p.family())) {
        throw new InvalidRequestException(
            "two " + p.family() + " ranges: a CNI network has at most one pool per family");
      }
    }
    Set<IpFamily> asked = new HashSet<>();
    for (IpAddress a : requested) {
      if (!families.contains(a.family())) {
        throw new InvalidRequestException(
            "requested address " + a + " has no " + a.family() + " range in this network");
      }
      if (!asked.add(a.family())) {
        throw new InvalidRequestException(
            "two " + a.family() + " addresses requested: at most one per family");
      }
    }
  }
}
