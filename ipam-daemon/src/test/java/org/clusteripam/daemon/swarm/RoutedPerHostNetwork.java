package org.clusteripam.daemon.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * A per-host network of a local driver on the bed: Docker's bridge in routed mode ({@code
 * com.docker.network.bridge.gateway_mode_ipv4=routed}) as a {@code --config-only} network on every
 * node and one {@code --scope swarm --config-from} network, cluster-ipam as its IPAM with {@code
 * addressing=per-host}. Swarm records neither a VIP nor task addresses on it; every node's daemon
 * publishes its own tasks. A TCP echo service ({@code busybox nc -ll -e hostname}: each connection
 * gets the task's host name) and one client container per host, all with {@code --dns GATEWAY} (the
 * daemons' resolver, {@code IPAM_DNS_LISTEN}).
 */
final class RoutedPerHostNetwork {
  static final String NET = "rb";
  static final String CONFIG = "rbcfg";
  static final String BRIDGE = "rb0";
  static final IpPrefix POOL = IpPrefix.parse("10.93.0.0/24");
  static final String GATEWAY = "10.93.0.1";
  static final String SERVICE = "echo";
  static final int PORT = 8080;
  private static final Pattern IPV4 = Pattern.compile("\\b(\\d+\\.\\d+\\.\\d+\\.\\d+)\\b");
  private static final Duration T = Duration.ofSeconds(20);

  /** One running task's container as its own host's dockerd reports it. */
  record Task(String host, String container, String hostname, String address) {}

  private final SwarmTestBed bed;

  RoutedPerHostNetwork(SwarmTestBed bed) {
    this.bed = bed;
  }

  /**
   * The plugin settings of each host: its advertise address and the resolver on the network's
   * gateway.
   */
  static List<String> pluginEnv(DockerHost h) {
    return List.of(
        "IPAM_LB_INTERVAL=PT1S",
        "IPAM_ADVERTISE_ADDR=" + h.address(),
        "IPAM_DNS_LISTEN=" + GATEWAY);
  }

  /**
   * The operator's part on every host (forwarding), the config-only networks, the swarm network.
   */
  void create() {
    for (DockerHost h : bed.hosts()) {
      inNamespace(h, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1").orThrow();
      h.must(
          "network",
          "create",
          "--config-only",
          "--ipam-driver",
          ClusterIpamPlugin.NAME,
          "--ipam-opt",
          "addressing=per-host",
          "--subnet",
          POOL.toString(),
          "--gateway",
          GATEWAY,
          "-o",
          "com.docker.network.bridge.gateway_mode_ipv4=routed",
          "-o",
          "com.docker.network.bridge.name=" + BRIDGE,
          CONFIG);
    }
    bed.manager()
        .must(
            "network",
            "create",
            "-d",
            "bridge",
            "--scope",
            "swarm",
            "--attachable",
            "--config-from",
            CONFIG,
            NET);
  }

  /**
   * {@code replicas} echo tasks, at most one per node (so three replicas run on all three hosts).
   */
  void createService(int replicas) {
    bed.manager()
        .must(
            "service",
            "create",
            "-d",
            "--name",
            SERVICE,
            "--network",
            NET,
            "--dns",
            GATEWAY,
            "--stop-grace-period",
            "1s",
            "--replicas",
            Integer.toString(replicas),
            "--replicas-max-per-node",
            "1",
            BusyboxImage.NAME,
            "busybox",
            "nc",
            "-ll",
            "-p",
            Integer.toString(PORT),
            "-e",
            "hostname");
  }

  /**
   * A client container on every host, then proxy ARP on each host's bridge (it exists from the
   * first container on).
   */
  void startClients() {
    for (DockerHost h : bed.hosts()) {
      h.must(
          "run",
          "-d",
          "--name",
          client(h),
          "--network",
          NET,
          "--dns",
          GATEWAY,
          BusyboxImage.NAME,
          "sleep",
          "3600");
      inNamespace(h, "sysctl", "-q", "-w", "net.ipv4.conf." + BRIDGE + ".proxy_arp=1").orThrow();
    }
  }

  static String client(DockerHost h) {
    return "c-" + h.name();
  }

  static CommandResult inNamespace(DockerHost h, String... command) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", h.namespace()));
    cmd.addAll(List.of(command));
    return Commands.run(T, cmd.toArray(String[]::new));
  }

  /** Every running echo container on every live host, with its address on the network. */
  List<Task> tasks() {
    List<Task> out = new ArrayList<>();
    for (DockerHost h : bed.hosts()) {
      if (!h.isAlive()) {
        continue;
      }
      for (String c :
          h.docker("ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + SERVICE)
              .lines()) {
        CommandResult r =
            h.docker(
                "inspect",
                "-f",
                "{{.Config.Hostname}} {{with index .NetworkSettings.Networks \""
                    + NET
                    + "\"}}{{.IPAddress}}{{end}}",
                c);
        if (r.ok()) {
          String[] f = r.stdout().strip().split(" ");
          out.add(new Task(h.name(), c, f[0], f.length > 1 ? f[1] : ""));
        }
      }
    }
    return out;
  }

  /**
   * A daemon's {@code /v1/lb} (its metrics server on the host's loopback): its last plan, or with
   * {@code ?catalog} the store's catalog, mappings and node publications.
   */
  static JsonNode daemon(DockerHost h, String query) {
    return SwarmView.parse(
        Commands.run(
                T,
                "ip",
                "netns",
                "exec",
                h.namespace(),
                "busybox",
                "wget",
                "-q",
                "-O",
                "-",
                ClusterIpamPlugin.METRICS_URL + "/v1/lb" + query)
            .orThrow());
  }

  /**
   * The catalog's published section for the pool (as h1's daemon reads the store): host → addresses
   * it publishes for the service.
   */
  Map<String, Set<String>> published() {
    JsonNode catalog = daemon(bed.hosts().get(0), "?catalog");
    Map<String, Set<String>> out = new TreeMap<>();
    for (JsonNode p : catalog.path("published")) {
      if (p.path("pool").asText().equals(POOL.toString())) {
        p.path("tasks")
            .forEach(
                t -> {
                  if (t.path("serviceName").asText().equals(SERVICE)) {
                    out.computeIfAbsent(p.path("host").asText(), k -> new TreeSet<>())
                        .add(t.path("address").asText());
                  }
                });
      }
    }
    return out;
  }

  /**
   * Host → its own planned VIP of the service, with that VIP's backends, from the plan of its
   * daemon's last pass.
   */
  Map<String, Map.Entry<String, Set<String>>> plans() {
    Map<String, Map.Entry<String, Set<String>>> out = new TreeMap<>();
    for (DockerHost h : bed.hosts()) {
      JsonNode plan = daemon(h, "");
      for (JsonNode v : plan.path("vips")) {
        if (v.path("serviceName").asText().equals(SERVICE)
            && v.path("pool").asText().equals(POOL.toString())) {
          Set<String> backends = new TreeSet<>();
          v.path("backends").forEach(b -> backends.add(b.asText()));
          out.put(
              h.name() + (v.path("hostVip").asBoolean() ? "" : " (swarm VIP)"),
              Map.entry(v.path("frontend").asText(), backends));
        }
      }
    }
    return out;
  }

  /**
   * Every host publishes exactly its own running tasks' addresses, and plans one VIP of its own for
   * the service (in the pool, distinct per host) with every task's address on every host as
   * backends.
   */
  List<String> planViolations(int replicas) {
    List<String> out = new ArrayList<>();
    List<Task> tasks = tasks();
    Map<String, Set<String>> running = new TreeMap<>();
    Set<String> all = new TreeSet<>();
    for (Task t : tasks) {
      if (t.address().isEmpty() || !POOL.contains(IpAddress.parse(t.address()))) {
        out.add(t + " has no address of " + POOL);
      }
      running.computeIfAbsent(t.host(), k -> new TreeSet<>()).add(t.address());
      all.add(t.address());
    }
    if (all.size() != replicas) {
      out.add(replicas + " replicas wanted, containers " + tasks);
    }
    Map<String, Set<String>> published = published();
    if (!published.equals(running)) {
      out.add("published " + published + ", running " + running);
    }
    Map<String, Map.Entry<String, Set<String>>> plans = plans();
    Set<String> vips = new TreeSet<>();
    for (DockerHost h : bed.hosts()) {
      Map.Entry<String, Set<String>> own = plans.get(h.name());
      if (own == null) {
        out.add(h.name() + " plans no VIP of its own for " + SERVICE + ": " + plans);
        continue;
      }
      vips.add(own.getKey());
      if (!POOL.contains(IpAddress.parse(own.getKey()))) {
        out.add(h.name() + "'s VIP " + own.getKey() + " is outside " + POOL);
      }
      if (!own.getValue().equals(all)) {
        out.add(
            h.name()
                + " sends its VIP "
                + own.getKey()
                + " to "
                + own.getValue()
                + ", tasks run on "
                + all);
      }
    }
    if (plans.keySet().stream().anyMatch(k -> k.contains("swarm VIP"))) {
      out.add("swarm recorded a VIP on a local-driver network: " + plans);
    }
    if (vips.size() != bed.hosts().size()) {
      out.add("own VIPs not distinct per host: " + plans);
    }
    return out;
  }

  /**
   * From every host's client, a TCP connection to every task's actual address answers with that
   * task's host name.
   */
  List<String> reachability() {
    List<String> out = new ArrayList<>();
    List<Task> tasks = tasks();
    for (DockerHost h : bed.hosts()) {
      for (Task t : tasks) {
        CommandResult r =
            h.docker(
                T,
                "exec",
                client(h),
                "busybox",
                "nc",
                "-w",
                "3",
                t.address(),
                Integer.toString(PORT));
        if (!r.stdout().strip().equals(t.hostname())) {
          out.add(
              client(h)
                  + " -> "
                  + t.address()
                  + " ("
                  + t.hostname()
                  + " on "
                  + t.host()
                  + "): "
                  + r.stdout().strip()
                  + " "
                  + r);
        }
      }
    }
    return out;
  }

  /**
   * In every host's client, through Docker's embedded DNS (127.0.0.11, which forwards to the
   * service's {@code --dns}): the service name resolves to that host's own VIP, {@code tasks.NAME}
   * to the addresses of all running tasks.
   */
  List<String> dnsViolations() {
    List<String> out = new ArrayList<>();
    Set<String> all = new TreeSet<>();
    tasks().forEach(t -> all.add(t.address()));
    Map<String, Map.Entry<String, Set<String>>> plans = plans();
    for (DockerHost h : bed.hosts()) {
      Set<String> name = lookup(h, SERVICE);
      Map.Entry<String, Set<String>> own = plans.get(h.name());
      if (own == null || !name.equals(Set.of(own.getKey()))) {
        out.add(
            client(h)
                + ": "
                + SERVICE
                + " resolves to "
                + name
                + ", "
                + h.name()
                + "'s own VIP is "
                + (own == null ? "none" : own.getKey()));
      }
      Set<String> tasks = lookup(h, "tasks." + SERVICE);
      if (!tasks.equals(all)) {
        out.add(
            client(h) + ": tasks." + SERVICE + " resolves to " + tasks + ", tasks run on " + all);
      }
    }
    return out;
  }

  /**
   * {@code nslookup NAME} in the host's client (its resolv.conf names only 127.0.0.11): the
   * answered addresses of the pool.
   */
  Set<String> lookup(DockerHost h, String name) {
    CommandResult r = h.docker(T, "exec", client(h), "nslookup", name);
    Set<String> out = new TreeSet<>();
    Matcher m = IPV4.matcher(r.stdout());
    while (m.find()) {
      try {
        if (POOL.contains(IpAddress.parse(m.group(1)))) {
          out.add(m.group(1));
        }
      } catch (IllegalArgumentException e) {
        // not an address
      }
    }
    return out;
  }

  /**
   * The container's resolv.conf (evidence: Docker's embedded DNS is the only server the container
   * asks).
   */
  String resolvConf(DockerHost h) {
    return h.must("exec", client(h), "cat", "/etc/resolv.conf");
  }

  /** Kernel routes of the host to the other hosts' blocks (the daemon's protocol 201). */
  String routes(DockerHost h) {
    return inNamespace(h, "ip", "route", "show", "proto", "201").stdout();
  }
}
