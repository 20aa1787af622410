package org.clusteripam.daemon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.plan.CapacityInput;
import org.clusteripam.core.plan.CapacityPlan;
import org.clusteripam.core.plan.CapacityPlanner;
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

  @Option(names = "--supernet", required = true, description = "Address space to carve, e.g. 10.80.0.0/12.")
  String supernet;

  @Option(names = "--network-prefix", required = true, description = "Prefix length of each network pool, e.g. 24.")
  int networkPrefix;

  @Option(names = "--host-prefix", required = true, description = "Prefix length of each host block, e.g. 26.")
  int hostPrefix;

  @Option(names = "--services", defaultValue = "0", description = "VIP-mode services per network (one VIP per host each). Default: ${DEFAULT-VALUE}.")
  int services;

  @Option(names = "--json", description = "Print one JSON object instead of a table.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    CapacityPlan plan;
    try {
      plan = CapacityPlanner.plan(new CapacityInput(IpPrefix.parse(supernet), networkPrefix, hostPrefix, services));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(json ? toJson(plan) : PlanTable.render(plan));
    out.flush();
    return 0;
  }

  static String toJson(CapacityPlan p) throws Exception {
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
      reserved.addObject().put("scope", r.scope()).put("count", r.count()).put("reason", r.reason());
    }
    ArrayNode warnings = o.putArray("warnings");
    p.warnings().forEach(warnings::add);
    o.put("fits", p.fits());
    return mapper.writeValueAsString(o) + System.lineSeparator();
  }
}
