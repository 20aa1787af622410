package org.clusteripam.core.plan;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.clusteripam.core.net.IpFamily;

/**
 * The capacity arithmetic of per-host addressing (README, "cluster mode or per-host mode"): the
 * placeholder range holds every swarm VIP, node load-balancer address and task placeholder; the
 * remaining host blocks hold each host's own VIPs, its load-balancer endpoint and its containers.
 */
public final class PerHostPlanner {
  private PerHostPlanner() {}

  public static PerHostPlan plan(PerHostInput in) {
    CapacityInput net = in.network();
    IpFamily family = net.supernet().family();
    int bits = family.bits();
    BigInteger services = BigInteger.valueOf(net.servicesPerNetwork());
    BigInteger nodes = BigInteger.valueOf(in.nodes());
    boolean v4Broadcast = family == IpFamily.IPV4 && net.networkPrefix() <= 30;
    List<Reservation> reservations = new ArrayList<>();
    List<String> warnings = new ArrayList<>();

    BigInteger rangeSize = pow2(bits - in.placeholderPrefix());
    BigInteger placeholders = v4Broadcast ? rangeSize.subtract(BigInteger.ONE) : rangeSize;
    if (v4Broadcast) {
      reservations.add(
          new Reservation(
              "per network",
              BigInteger.ONE,
              "IPv4 broadcast address (top of the placeholder range)"));
    }
    reservations.add(
        new Reservation(
            "per network",
            services,
            "swarm VIPs (one per VIP-mode service), from the placeholder range"));
    reservations.add(
        new Reservation(
            "per network",
            nodes,
            "node load-balancer addresses (one per node), from the placeholder range"));
    BigInteger tasks = placeholders.subtract(services).subtract(nodes);

    BigInteger blocks =
        pow2(net.hostPrefix() - net.networkPrefix())
            .subtract(pow2(net.hostPrefix() - in.placeholderPrefix()));
    BigInteger blockSize = pow2(bits - net.hostPrefix());
    BigInteger inFirst = BigInteger.ONE; // network address (IPv4) or subnet-router anycast (IPv6)
    reservations.add(
        new Reservation(
            "per network",
            BigInteger.ONE,
            (family == IpFamily.IPV4
                    ? "IPv4 network address"
                    : "IPv6 subnet-router anycast address")
                + " (first host block)"));
    if (bits - net.networkPrefix() >= 1) {
      reservations.add(
          new Reservation("per network", BigInteger.ONE, "gateway (first host block)"));
      inFirst = inFirst.add(BigInteger.ONE);
    }
    reservations.add(
        new Reservation(
            "per host block", services, "the host's own VIP of every service (its load balancer)"));
    reservations.add(
        new Reservation(
            "per host block", BigInteger.ONE, "the host's load-balancer endpoint on the network"));
    BigInteger hostAddresses = blocks.multiply(blockSize).subtract(BigInteger.ONE);
    BigInteger perBlock = blockSize.subtract(services).subtract(BigInteger.ONE);
    BigInteger first = perBlock.subtract(inFirst);
    BigInteger perNetwork =
        perBlock
            .max(BigInteger.ZERO)
            .multiply(blocks.subtract(BigInteger.ONE))
            .add(first.max(BigInteger.ZERO));

    if (tasks.signum() <= 0) {
      warnings.add(
          "the placeholder range /"
              + in.placeholderPrefix()
              + " holds "
              + placeholders
              + " placeholders, but "
              + services
              + " swarm VIPs and "
              + nodes
              + " node addresses need "
              + services.add(nodes)
              + ": no room for tasks; use a shorter placeholder prefix");
    } else if (tasks.compareTo(BigInteger.valueOf(8)) < 0) {
      warnings.add("the placeholder range leaves room for only " + tasks + " tasks");
    }
    if (perBlock.signum() <= 0) {
      warnings.add(
          "each host block of /"
              + net.hostPrefix()
              + " holds "
              + blockSize
              + " addresses, but the host's "
              + services
              + " service VIPs and its load-balancer endpoint need "
              + services.add(BigInteger.ONE)
              + ": no room for containers");
    } else if (first.signum() <= 0) {
      warnings.add("the first host block (network address and gateway) has no room for containers");
    }
    return new PerHostPlan(
        in,
        placeholders,
        tasks.max(BigInteger.ZERO),
        blocks,
        hostAddresses,
        perBlock.max(BigInteger.ZERO),
        first.max(BigInteger.ZERO),
        perNetwork,
        reservations,
        warnings);
  }

  private static BigInteger pow2(int n) {
    return BigInteger.ONE.shiftLeft(n);
  }
}
