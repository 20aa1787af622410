package org.clusteripam.daemon.cli;

import java.math.BigInteger;
import java.util.Locale;
import org.clusteripam.core.plan.CapacityPlan;
import org.clusteripam.core.plan.PerHostPlan;
import org.clusteripam.core.plan.Reservation;

/** Renders a {@link CapacityPlan} as a table an operator can read at a glance. */
final class PlanTable {
  private PlanTable() {}

  static String render(CapacityPlan p) {
    StringBuilder sb = new StringBuilder();
    String hostBlock = "/" + p.input().hostPrefix();
    String network = "/" + p.input().networkPrefix();
    sb.append("Address plan for ")
        .append(p.input().supernet())
        .append(" (networks ")
        .append(network)
        .append(", host blocks ")
        .append(hostBlock)
        .append(", ")
        .append(p.input().servicesPerNetwork())
        .append(" services per network)\n\n");
    row(sb, "networks", p.networks(), network + " pools in the supernet");
    row(sb, "addresses per network", p.addressesPerNetwork(), "");
    row(sb, "hosts per network", p.hostsPerNetwork(), hostBlock + " blocks in each network");
    row(sb, "addresses per host", p.addressesPerHost(), "");
    row(sb, "service VIPs per host", p.serviceVipsPerHost(), "one per service, on every host");
    row(sb, "container addresses per host", p.containerAddressesPerHost(), "typical host block");
    row(
        sb,
        "  worst host block",
        p.minContainerAddressesPerHost(),
        "holds the network's reserved addresses");
    row(sb, "container addresses per network", p.containerAddressesPerNetwork(), "");
    row(sb, "container addresses in total", p.totalContainerAddresses(), "");
    sb.append("\nReserved addresses:\n");
    for (Reservation r : p.reservations()) {
      sb.append(
          String.format(Locale.ROOT, "  %8s %-15s %s%n", group(r.count()), r.scope(), r.reason()));
    }
    if (p.warnings().isEmpty()) {
      sb.append("\nThe parameters fit.\n");
    } else {
      sb.append("\nWARNINGS:\n");
      p.warnings().forEach(w -> sb.append("  - ").append(w).append('\n'));
    }
    return sb.toString();
  }

  /** The per-host section printed after the network plan. */
  static String render(PerHostPlan p) {
    StringBuilder sb = new StringBuilder();
    sb.append("\nPer-host addressing (--ipam-opt addressing=per-host, placeholder range /")
        .append(p.input().placeholderPrefix())
        .append(" at the top of each network, ")
        .append(p.input().nodes())
        .append(" nodes)\n\n");
    row(
        sb,
        "placeholders per network",
        p.placeholders(),
        "swarm VIPs, node LB addresses and tasks");
    row(sb, "  left for tasks", p.taskPlaceholders(), "");
    row(sb, "host blocks per network", p.hostBlocks(), "outside the placeholder range");
    row(sb, "host addresses per network", p.hostAddresses(), "");
    row(
        sb,
        "containers per host block",
        p.containersPerHostBlock(),
        "after the host's own VIPs and LB endpoint");
    row(
        sb,
        "  first host block",
        p.minContainersPerHostBlock(),
        "also holds the network address and gateway");
    row(sb, "containers per network", p.containersPerNetwork(), "");
    sb.append("\nReserved addresses (per-host):\n");
    for (Reservation r : p.reservations()) {
      sb.append(
          String.format(Locale.ROOT, "  %8s %-15s %s%n", group(r.count()), r.scope(), r.reason()));
    }
    if (p.warnings().isEmpty()) {
      sb.append("\nThe per-host plan fits.\n");
    } else {
      sb.append("\nWARNINGS (per-host):\n");
      p.warnings().forEach(w -> sb.append("  - ").append(w).append('\n'));
    }
    return sb.toString();
  }

  private static void row(StringBuilder sb, String label, BigInteger value, String note) {
    sb.append(
            String.format(Locale.ROOT, "  %-32s %26s  %s%n", label, group(value), note)
                .stripTrailing())
        .append('\n');
  }

  private static String group(BigInteger v) {
    return String.format(Locale.ROOT, "%,d", v);
  }
}
