package org.clusteripam.core.plan;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.clusteripam.core.net.IpFamily;

/**
 * The arithmetic of an address plan: a supernet carved into network pools, each pool into per-host
 * blocks, each host block holding one VIP per service plus its containers.
 *
 * <p>Reserved addresses are counted where they really fall: an IPv4 network's own network and
 * broadcast addresses (none for /31 and /32) and its gateway take room in the first and last host
 * blocks, so those blocks hold fewer containers than the others.
 */
public final class CapacityPlanner {
  private CapacityPlanner() {}

  public static CapacityPlan plan(CapacityInput in) {
    IpFamily family = in.supernet().family();
    int bits = family.bits();
    BigInteger networks = pow2(in.networkPrefix() - in.supernet().length());
    BigInteger perNetwork = pow2(bits - in.networkPrefix());
    BigInteger hosts = pow2(in.hostPrefix() - in.networkPrefix());
    BigInteger perHost = pow2(bits - in.hostPrefix());
    BigInteger vips = BigInteger.valueOf(in.servicesPerNetwork());

    List<Reservation> reservations = new ArrayList<>();
    List<String> warnings = new ArrayList<>();

    // Network-level reservations and the host block each one lands in.
    boolean v4WithBroadcast = family == IpFamily.IPV4 && in.networkPrefix() <= 30;
    boolean hasGateway = bits - in.networkPrefix() >= 1;
    BigInteger inFirstBlock = BigInteger.ZERO;
    BigInteger inLastBlock = BigInteger.ZERO;
    if (v4WithBroadcast) {
      reservations.add(
          new Reservation(
              "per network",
              BigInteger.ONE,
              "IPv4 network address (the first address of the pool)"));
      reservations.add(
          new Reservation(
              "per network",
              BigInteger.ONE,
              "IPv4 broadcast address (the last address of the pool)"));
      inFirstBlock = inFirstBlock.add(BigInteger.ONE);
      inLastBlock = inLastBlock.add(BigInteger.ONE);
    } else if (family == IpFamily.IPV6) {
      reservations.add(
          new Reservation(
              "per network",
              BigInteger.ONE,
              "IPv6 subnet-router anycast address (the first address of the pool)"));
      inFirstBlock = inFirstBlock.add(BigInteger.ONE);
    }
    if (hasGateway) {
      reservations.add(
          new Reservation(
              "per network", BigInteger.ONE, "gateway (the first usable address of the pool)"));
      inFirstBlock = inFirstBlock.add(BigInteger.ONE);
    }
    if (vips.signum() > 0) {
      reservations.add(
          new Reservation(
              "per host block",
              vips,
              "one VIP per service for the host's own load balancer (" + vips + " services)"));
    }

    BigInteger typical = perHost.subtract(vips);
    BigInteger first =
        hosts.equals(BigInteger.ONE)
            ? typical.subtract(inFirstBlock).subtract(inLastBlock)
            : typical.subtract(inFirstBlock);
    BigInteger last = hosts.equals(BigInteger.ONE) ? first : typical.subtract(inLastBlock);
    BigInteger worst = first.min(last).max(BigInteger.ZERO);
    typical = typical.max(BigInteger.ZERO);

    BigInteger perNetworkContainers;
    if (hosts.equals(BigInteger.ONE)) {
      perNetworkContainers = worst;
    } else {
      perNetworkContainers =
          typical
              .multiply(hosts.subtract(BigInteger.TWO))
              .add(first.max(BigInteger.ZERO))
              .add(last.max(BigInteger.ZERO));
    }

    if (vips.compareTo(perHost) >= 0) {
      warnings.add(
          "each host block of /"
              + in.hostPrefix()
              + " holds "
              + perHost
              + " addresses, but "
              + vips
              + " services need "
              + vips
              + " VIPs in it: no room for containers; use a shorter host prefix or fewer services");
    } else if (worst.signum() <= 0) {
      warnings.add(
          "the host block holding the network's reserved addresses has no room for containers: use a shorter host prefix");
    } else if (worst.compareTo(BigInteger.valueOf(4)) < 0) {
      warnings.add(
          "some host blocks hold only "
              + worst
              + " container addresses: a host will need several blocks");
    }
    if (networks.compareTo(BigInteger.valueOf(4)) < 0) {
      warnings.add("the supernet holds only " + networks + " network(s) of /" + in.networkPrefix());
    }

    return new CapacityPlan(
        in,
        networks,
        perNetwork,
        hosts,
        perHost,
        vips,
        typical,
        worst,
        perNetworkContainers,
        perNetworkContainers.multiply(networks),
        reservations,
        warnings);
  }

  private static BigInteger pow2(int n) {
    return BigInteger.ONE.shiftLeft(n);
  }
}
