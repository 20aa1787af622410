package org.clusteripam.daemon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.plan.CapacityInput;
import org.clusteripam.core.plan.CapacityPlan;
import org.clusteripam.core.plan.CapacityPlanner;
import org.clusteripam.core.plan.PerHostInput;
import org.clusteripam.core.plan.PerHostPlan;
import org.clusteripam.core.plan.PerHostPlanner;
import org.clusteripam.core.plan.Reservation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code plan}: the capacity arithmetic of an address plan, as a table or JSON. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = "Shows how many networks, hosts and container addresses a supernet gives.")
public final class PlanCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--supernet",
      required = true,
      description = "Address space to carve, e.g. 10.80.0.0/12.")
  String supernet;

  @Option(
      names = "--network-prefix",
      required = true,
      description = "Prefix length of each network pool, e.g. 24.")
  int networkPrefix;

  @Option(
      names = "--host-prefix",
      required = true,
      description = "Prefix length of each host block, e.g. 26.")
  int hostPrefix;

  @Option(
      names = "--services",
      defaultValue = "0",
      description =
          "VIP-mode services per network (one VIP per host each). Default: ${DEFAULT-VALUE}.")
  int services;

  @Option(
      names = "--placeholder-prefix",
      description =
          "Plan per-host addressing too (--ipam-opt addressing=per-host): the length of"
              + " the placeholder range at the top of each network, e.g. 26 (between the network and host prefixes).")
  Integer placeholderPrefix;

  @Option(
      names = "--nodes",
      defaultValue = "0",
      description =
          "Swarm nodes attached to each network (per-host plan: one load-balancer"
              + " address each). Default: ${DEFAULT-VALUE}.")
  int nodes;

  @Option(names = "--json", description = "Print one JSON object instead of a table.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    CapacityPlan plan;
    Optional<PerHostPlan> perHost = Optional.empty();
    try {
      CapacityInput in =
          new CapacityInput(IpPrefix.parse(supernet), networkPrefix, hostPrefix, services);
      plan = CapacityPlanner.plan(in);
      if (placeholderPrefix != null) {
        perHost = Optional.of(PerHostPlanner.plan(new PerHostInput(in, placeholderPrefix, nodes)));
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(
        json
            ? toJson(plan, perHost)
            : PlanTable.render(plan) + perHost.map(PlanTable::render).orElse(""));
    out.flush();
    return 0;
  }

  static String toJson(CapacityPlan p) throws Exception {
    return toJson(p, Optional.empty());
  }

  static String toJson(CapacityPlan p, Optional<PerHostPlan> perHost) throws Exception {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode o = mapper.createObjectNode();
    o.put("supernet", p.input().supernet().toString());
    o.put("networkPrefix", p.input().networkPrefix());
    o.put("hostPrefix", p.input().hostPrefix());
    o.put("services", p.input().servicesPerNetwork());
    o.put("networks", p.networks());
    o.put("addressesPerNetwork", p.addressesPerNetwork());
    o.put("hostsPerNetwork", p.hostsPerNetwork());
    o.put("addressesPerHost", p.addressesPerHost());
    o.put("serviceVipsPerHost", p.serviceVipsPerHost());
    o.put("containerAddressesPerHost", p.containerAddressesPerHost());
    o.put("minContainerAddressesPerHost", p.minContainerAddressesPerHost());
    o.put("containerAddressesPerNetwork", p.containerAddressesPerNetwork());
    o.put("totalContainerAddresses", p.totalContainerAddresses());
    ArrayNode reserved = o.putArray("reservations");
    for (Reservation r : p.reservations()) {
      reserved
          .addObject()
          .put("scope", r.scope())
          .put("count", r.count())
          .put("reason", r.reason());
    }
    ArrayNode warnings = o.putArray("warnings");
    p.warnings().forEach(warnings::add);
    o.put("fits", p.fits());
    if (perHost.isPresent()) {
      PerHostPlan h = perHost.get();
      ObjectNode n = o.putObject("perHost");
      n.put("placeholderPrefix", h.input().placeholderPrefix());
      n.put("nodes", h.input().nodes());
      n.put("placeholders", h.placeholders());
      n.put("taskPlaceholders", h.taskPlaceholders());
      n.put("hostBlocks", h.hostBlocks());
      n.put("hostAddresses", h.hostAddresses());
      n.put("containersPerHostBlock", h.containersPerHostBlock());
      n.put("minContainersPerHostBlock", h.minContainersPerHostBlock());
      n.put("containersPerNetwork", h.containersPerNetwork());
      ArrayNode r = n.putArray("reservations");
      for (Reservation x : h.reservations()) {
        r.addObject().put("scope", x.scope()).put("count", x.count()).put("reason", x.reason());
      }
      ArrayNode w = n.putArray("warnings");
      h.warnings().forEach(w::add);
      n.put("fits", h.fits());
    }
    return mapper.writeValueAsString(o) + System.lineSeparator();
  }
}
