package org.clusteripam.core.perhost;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.clusteripam.core.ipam.HostId;

/**
 * What one host's load balancer should hold for the per-host networks: every service VIP (swarm's
 * and the host's own) with the actual addresses of the service's tasks on all hosts, and every
 * placeholder with its actual address. Sorted, so two plans of the same state are equal.
 */
public record LbDesiredState(
    HostId host, List<VipRoute> vips, List<PlaceholderRoute> placeholders) {
  public LbDesiredState {
    Objects.requireNonNull(host, "host");
    vips = vips.stream().sorted(Comparator.comparing(VipRoute::frontend)).toList();
    placeholders =
        placeholders.stream().sorted(Comparator.comparing(PlaceholderRoute::placeholder)).toList();
  }

  public static LbDesiredState empty(HostId host) {
    return new LbDesiredState(host, List.of(), List.of());
  }
}
