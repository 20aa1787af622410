package org.clusteripam.daemon.perhost;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.CatalogService;
import org.clusteripam.core.perhost.CatalogTask;
import org.clusteripam.core.perhost.PortProtocol;
import org.clusteripam.core.perhost.ServicePort;

/**
 * Swarm's view (the Engine API's {@code GET /networks}, {@code /services} and {@code /tasks} JSON
 * arrays) → the service catalog of every per-host network, keyed by the network's subnet. Pure: no
 * Docker, no store, so it is tested on recorded JSON.
 *
 * <p>A swarm network created {@code --config-from} a config-only network (how a local driver gets
 * swarm scope) takes its IPAM driver, options and subnets from that network. A service belongs to a
 * network's catalog when it has a VIP there, names the network in its task template, or has a
 * running task attached to it. Tasks count only with desired state {@code running} (swarm keeps
 * shut-down tasks around for history). Entries the catalog cannot hold (odd ids, unparsable
 * addresses) are skipped one by one and reported, never the whole read.
 */
final class SwarmCatalog {
  static final String PER_HOST = "per-host";

  /** The catalogs, and what was skipped (for one log line). */
  record Result(Map<IpPrefix, List<CatalogService>> byPool, List<String> skipped) {
    Result {
      byPool = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byPool));
      skipped = List.copyOf(skipped);
    }

    int services() {
      return byPool.values().stream().mapToInt(List::size).sum();
    }
  }

  private record Network(String id, String name, List<IpPrefix> subnets) {}

  private record Task(
      String id, String serviceId, Map<String, List<IpAddress>> addressesByNetwork) {}

  private SwarmCatalog() {}

  /**
   * @param ourDriver whether an IPAM driver name is this plugin
   * @param knownPerHost pools the store knows as per-host: a network of ours with such a subnet
   *     counts even if Docker did not echo its {@code addressing} option
   */
  static Result convert(
      JsonNode networks,
      JsonNode services,
      JsonNode tasks,
      Predicate<String> ourDriver,
      Set<IpPrefix> knownPerHost) {
    List<String> skipped = new ArrayList<>();
    List<Network> perHost = perHostNetworks(networks, ourDriver, knownPerHost, skipped);
    Map<String, List<Task>> tasksByService = new HashMap<>();
    for (JsonNode t : tasks) {
      if (!"running".equals(t.path("DesiredState").asText())) {
        continue;
      }
      Map<String, List<IpAddress>> byNetwork = new HashMap<>();
      for (JsonNode a : t.path("NetworksAttachments")) {
        List<IpAddress> addresses = new ArrayList<>();
        for (JsonNode addr : a.path("Addresses")) {
          try {
            addresses.add(IpAddress.parse(stripLength(addr.asText())));
          } catch (RuntimeException e) {
            skipped.add(
                "task "
                    + t.path("ID").asText()
                    + " address "
                    + addr.asText()
                    + ": "
                    + e.getMessage());
          }
        }
        byNetwork.put(a.path("Network").path("ID").asText(), addresses);
      }
      tasksByService
          .computeIfAbsent(t.path("ServiceID").asText(), k -> new ArrayList<>())
          .add(new Task(t.path("ID").asText(), t.path("ServiceID").asText(), byNetwork));
    }

    Map<IpPrefix, List<CatalogService>> out = new TreeMap<>();
    for (Network n : perHost) {
      for (IpPrefix subnet : n.subnets()) {
        out.put(subnet, new ArrayList<>());
      }
    }
    for (JsonNode s : services) {
      String id = s.path("ID").asText();
      String name = s.path("Spec").path("Name").asText();
      Map<String, IpAddress> vips = vips(s, skipped);
      Set<String> templateNetworks = templateNetworks(s);
      List<ServicePort> ports = ports(s, skipped);
      List<Task> serviceTasks = tasksByService.getOrDefault(id, List.of());
      for (Network n : perHost) {
        boolean attached =
            vips.containsKey(n.id())
                || templateNetworks.contains(n.id())
                || templateNetworks.contains(n.name())
                || serviceTasks.stream().anyMatch(t -> t.addressesByNetwork().containsKey(n.id()));
        if (!attached) {
          continue;
        }
        for (IpPrefix subnet : n.subnets()) {
          Optional<IpAddress> vip = Optional.ofNullable(vips.get(n.id())).filter(subnet::contains);
          List<CatalogTask> catalogTasks = new ArrayList<>();
          for (Task t : serviceTasks) {
            for (IpAddress a : t.addressesByNetwork().getOrDefault(n.id(), List.of())) {
              if (subnet.contains(a)) {
                try {
                  catalogTasks.add(new CatalogTask(t.id(), a));
                } catch (IllegalArgumentException e) {
                  skipped.add("task " + t.id() + ": " + e.getMessage());
                }
              }
            }
          }
          try {
            out.get(subnet).add(new CatalogService(id, name, vip, ports, catalogTasks));
          } catch (IllegalArgumentException e) {
            skipped.add("service " + id + " (" + name + "): " + e.getMessage());
          }
        }
      }
    }
    return new Result(out, skipped);
  }

  private static List<Network> perHostNetworks(
      JsonNode networks,
      Predicate<String> ourDriver,
      Set<IpPrefix> knownPerHost,
      List<String> skipped) {
    List<Network> out = new ArrayList<>();
    Map<String, JsonNode> configOnly = new HashMap<>();
    for (JsonNode n : networks) {
      if (n.path("ConfigOnly").asBoolean(false)) {
        configOnly.put(n.path("Name").asText(), n);
      }
    }
    for (JsonNode n : networks) {
      if (n.path("ConfigOnly").asBoolean(false)) {
        continue; // a template: the networks created --config-from it are the ones tasks attach to
      }
      // A swarm network of a local driver (routed bridge, macvlan, ipvlan) created --config-from:
      // its
      // IPAM lives in the config-only network of that name (every node has its own; the manager's
      // is read).
      String from = n.path("ConfigFrom").path("Network").asText("");
      JsonNode ipam =
          from.isEmpty() || !configOnly.containsKey(from)
              ? n.path("IPAM")
              : configOnly.get(from).path("IPAM");
      if (!ourDriver.test(ipam.path("Driver").asText(null))) {
        continue;
      }
      List<IpPrefix> subnets = new ArrayList<>();
      for (JsonNode c : ipam.path("Config")) {
        String subnet = c.path("Subnet").asText("");
        if (subnet.isEmpty()) {
          continue;
        }
        try {
          subnets.add(IpPrefix.parse(subnet));
        } catch (RuntimeException e) {
          skipped.add(
              "network " + n.path("Name").asText() + " subnet " + subnet + ": " + e.getMessage());
        }
      }
      boolean byOption =
          PER_HOST.equals(
              ipam.path("Options")
                  .path(org.clusteripam.core.ipam.PoolOptions.ADDRESSING)
                  .asText("")
                  .strip());
      if (subnets.isEmpty() || !(byOption || subnets.stream().anyMatch(knownPerHost::contains))) {
        continue;
      }
      out.add(new Network(n.path("Id").asText(), n.path("Name").asText(), subnets));
    }
    return out;
  }

  /** Endpoint.VirtualIPs: network id → VIP (Docker writes {@code 10.0.0.5/24}). */
  private static Map<String, IpAddress> vips(JsonNode service, List<String> skipped) {
    Map<String, IpAddress> out = new HashMap<>();
    for (JsonNode v : service.path("Endpoint").path("VirtualIPs")) {
      String addr = v.path("Addr").asText("");
      if (addr.isEmpty()) {
        continue;
      }
      try {
        out.put(v.path("NetworkID").asText(), IpAddress.parse(stripLength(addr)));
      } catch (RuntimeException e) {
        skipped.add(
            "service " + service.path("ID").asText() + " VIP " + addr + ": " + e.getMessage());
      }
    }
    return out;
  }

  /**
   * The networks named in the task template (ids, as the CLI resolves them; names accepted too).
   */
  private static Set<String> templateNetworks(JsonNode service) {
    Set<String> out = new LinkedHashSet<>();
    for (JsonNode n : service.path("Spec").path("TaskTemplate").path("Networks")) {
      out.add(n.path("Target").asText());
    }
    // deprecated location, still accepted by the API
    for (JsonNode n : service.path("Spec").path("Networks")) {
      out.add(n.path("Target").asText());
    }
    return out;
  }

  /** The target ports of the endpoint spec (what the tasks listen on), protocol tcp by default. */
  private static List<ServicePort> ports(JsonNode service, List<String> skipped) {
    JsonNode spec = service.path("Spec").path("EndpointSpec");
    if (spec.isMissingNode()) {
      spec = service.path("Endpoint").path("Spec");
    }
    List<ServicePort> out = new ArrayList<>();
    for (JsonNode p : spec.path("Ports")) {
      try {
        String protocol = p.path("Protocol").asText("");
        out.add(
            new ServicePort(
                protocol.isEmpty() ? PortProtocol.TCP : PortProtocol.parse(protocol),
                p.path("TargetPort").asInt(0)));
      } catch (IllegalArgumentException e) {
        skipped.add(
            "service " + service.path("ID").asText() + " port " + p + ": " + e.getMessage());
      }
    }
    return out;
  }

  static String stripLength(String cidr) {
    int slash = cidr.indexOf('/');
    return slash < 0 ? cidr : cidr.substring(0, slash);
  }
}
