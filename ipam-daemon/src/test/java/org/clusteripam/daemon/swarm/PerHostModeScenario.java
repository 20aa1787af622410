package org.clusteripam.daemon.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Per-host mode on a real swarm: one manager and two workers running {@code cluster-ipam:latest} on
 * one etcd. Swarm records placeholders from the network's placeholder range; every container really
 * has an address of its own host's blocks; the mapping is in the store; the manager's daemon
 * publishes the service catalog; and every host's load balancer plan (read with {@code lb-state},
 * the daemon's own computation over the store) sends the service's VIP on that host and each
 * placeholder to the actual addresses. Kernel IPVS itself is covered by ipam-lb's user-mode-linux
 * test (this kernel has none).
 */
abstract class PerHostModeScenario extends SwarmScenario {
  private static final String NET = "ph";
  private static final IpPrefix POOL = IpPrefix.parse("10.94.0.0/24");
  // the default: the top quarter
  private static final IpPrefix PLACEHOLDERS = IpPrefix.parse("10.94.0.192/26");
  private static final String PREFIX = ScenarioBed.PREFIX;
  private static final Duration SETTLE = Duration.ofSeconds(60);
  private Services services;
  private IpamCli cli;
  private RoutedPerHostNetwork routed;

  @Override
  int managers() {
    return 1;
  }

  @BeforeAll
  void bringUp() {
    services = new Services(bed);
    cli = new IpamCli(bed, etcd);
    routed = new RoutedPerHostNetwork(bed);
  }

  @Test
  @Order(1)
  void tasksRecordPlaceholdersWhileTheirContainersHaveAddressesOfTheirHostsBlocks() {
    PluginBed.createOverlay(
        bed.manager(), NET, "--subnet", POOL.toString(), "--ipam-opt", "addressing=per-host");
    long t0 = System.nanoTime();
    services.create("web", NET, 6);
    services.awaitRunning("web", 6);
    Figures.record("per-host: 6 replicas running", (System.nanoTime() - t0) / 1_000_000 + " ms");
    assertThat(new SwarmView(bed).tasks("web").stream().map(TaskRecord::host).distinct())
        .as("tasks spread over the hosts")
        .hasSize(3);
    awaitEmpty("every running task mapped", () -> tasksAndMappingsAgree(new Reading()));
  }

  @Test
  @Order(2)
  void theManagerPublishesTheCatalogAndEveryHostPlansItsLoadBalancer() {
    awaitEmpty("catalog and LB plans in step with swarm", () -> lbViolations(new Reading()));
  }

  @Test
  @Order(3)
  void scalingDownDropsMappingsAndBackendsWithTheTasks() {
    Set<String> before = runningPlaceholders();
    services.scale("web", 2);
    services.awaitRunning("web", 2);
    Set<String> removed = new TreeSet<>(before);
    removed.removeAll(runningPlaceholders());
    assertThat(removed).hasSize(4);
    awaitEmpty(
        "mappings and plans follow the scale-down",
        () -> {
          Reading r = new Reading();
          return firstNonEmpty(
              () -> tasksAndMappingsAgree(r),
              () -> lbViolations(r),
              () ->
                  removed.stream()
                      .filter(mappings(r)::containsKey)
                      .map(p -> "a mapping of the removed task with placeholder " + p)
                      .toList());
        });

    services.scale("web", 5);
    services.awaitRunning("web", 5);
    awaitEmpty(
        "mappings and plans follow the scale-up",
        () -> {
          Reading r = new Reading();
          return firstNonEmpty(() -> tasksAndMappingsAgree(r), () -> lbViolations(r));
        });
  }

  @Test
  @Order(4)
  void removingTheServiceAndNetworkLeavesNoMappingCatalogOrPool() {
    services.remove("web");
    DockerHost m = bed.anyLiveManager();
    Waits.until(
        NET + " removed",
        Duration.ofSeconds(60),
        () -> m.docker("network", "rm", NET).ok() || !m.docker("network", "inspect", NET).ok());
    try {
      Waits.until(
          "no pool, block, mapping or catalog key left",
          Duration.ofSeconds(30),
          () -> leftovers().isEmpty());
    } catch (IllegalStateException timedOut) {
      assertThat(leftovers())
          .as("keys left after the network went; store:%n%s", cli.run("show").stdout())
          .isEmpty();
    }
  }

  // ---------------------------------------------- a local driver: Docker's bridge in routed mode

  @Test
  @Order(5)
  void onARoutedBridgeEveryNodePublishesItsTasksAndEveryHostPlansTheirActualAddresses() {
    long t0 = System.nanoTime();
    routed.create();
    routed.createService(3);
    services.awaitRunning(RoutedPerHostNetwork.SERVICE, 3);
    routed.startClients();
    Figures.record(
        "per-host routed bridge: 3 tasks and 3 clients running",
        (System.nanoTime() - t0) / 1_000_000 + " ms");
    assertThat(routed.tasks())
        .extracting(RoutedPerHostNetwork.Task::host)
        .as("one task per host")
        .containsExactlyInAnyOrder("h1", "h2", "h3");
    assertThat(new SwarmView(bed).tasks(RoutedPerHostNetwork.SERVICE))
        .as("swarm records no task address on a local-driver network")
        .allSatisfy(
            t ->
                assertThat(t.addressesByNetwork().getOrDefault(RoutedPerHostNetwork.NET, List.of()))
                    .isEmpty());
    awaitEmpty("publications and plans of the routed network", () -> routed.planViolations(3));
  }

  @Test
  @Order(6)
  void clientsOnEveryHostReachTasksOnTheOtherHostsByTheirActualAddresses() {
    for (DockerHost h : bed.hosts()) {
      List<String> others =
          bed.hosts().stream().filter(o -> o != h).map(DockerHost::address).toList();
      Waits.until(
          h.name() + " routes the other hosts' blocks",
          SETTLE,
          () -> others.stream().allMatch(routed.routes(h)::contains));
    }
    awaitEmpty("TCP from every client to every task", routed::reachability);
  }

  @Test
  @Order(7)
  void dockersEmbeddedDnsForwardsToTheHostsResolverWhichAnswersWithTheHostsOwnVip() {
    for (DockerHost h : bed.hosts()) {
      String conf = routed.resolvConf(h);
      assertThat(conf.lines().filter(l -> l.startsWith("nameserver")))
          .as("the client asks Docker's embedded DNS only: %s", conf)
          .containsExactly("nameserver 127.0.0.11");
      assertThat(conf)
          .as("which forwards to the resolver on the gateway")
          .contains("ExtServers: [" + RoutedPerHostNetwork.GATEWAY + "]");
    }
    awaitEmpty("names resolved through every host's resolver", routed::dnsViolations);
  }

  @Test
  @Order(8)
  void scalingAndADaemonRestartChangePublicationsAndPlansAndOnlyThose() {
    services.scale(RoutedPerHostNetwork.SERVICE, 1);
    services.awaitRunning(RoutedPerHostNetwork.SERVICE, 1);
    awaitEmpty("plans after the scale-down", () -> routed.planViolations(1));
    assertThat(routed.published()).hasSize(1);
    services.scale(RoutedPerHostNetwork.SERVICE, 3);
    services.awaitRunning(RoutedPerHostNetwork.SERVICE, 3);
    awaitEmpty("plans after the scale-up", () -> routed.planViolations(3));
    awaitEmpty("TCP after the scale-up", routed::reachability);

    DockerHost h2 = bed.host("h2");
    Map<String, Map.Entry<String, Set<String>>> before = routed.plans();
    String key = PREFIX + "tasks/10.93.0.0-24/h2";
    h2.must("plugin", "disable", "-f", ClusterIpamPlugin.NAME);
    EtcdKeys.delete(bed, etcd, key);
    assertThat(EtcdKeys.under(bed, etcd, key))
        .as("h2's publication deleted while its daemon is down")
        .isEmpty();
    ClusterIpamPlugin.enable(h2, 6);
    Waits.until(
        "h2's daemon re-publishes", SETTLE, () -> !EtcdKeys.under(bed, etcd, key).isEmpty());
    awaitEmpty("plans after h2's daemon restart", () -> routed.planViolations(3));
    assertThat(routed.plans()).as("every host's plan as before the restart").isEqualTo(before);
    awaitEmpty("names after h2's daemon restart", routed::dnsViolations);
  }

  @Test
  @Order(9)
  void removingTheRoutedNetworkLeavesNoPublication() {
    services.remove(RoutedPerHostNetwork.SERVICE);
    for (DockerHost h : bed.hosts()) {
      h.must("rm", "-f", RoutedPerHostNetwork.client(h));
    }
    DockerHost m = bed.anyLiveManager();
    Waits.until(
        RoutedPerHostNetwork.NET + " removed",
        Duration.ofSeconds(60),
        () ->
            m.docker("network", "rm", RoutedPerHostNetwork.NET).ok()
                || !m.docker("network", "inspect", RoutedPerHostNetwork.NET).ok());
    Waits.until(
        "no publication left",
        Duration.ofSeconds(30),
        () -> EtcdKeys.under(bed, etcd, PREFIX + "tasks/").isEmpty());
  }

  /**
   * Waits until {@code violations} finds none; a check that cannot run yet (a daemon not answering)
   * counts as one.
   */
  private static void awaitEmpty(
      String what, java.util.function.Supplier<List<String>> violations) {
    java.util.function.Supplier<List<String>> safe =
        () -> {
          try {
            return violations.get();
          } catch (RuntimeException e) {
            return List.of(e.toString());
          }
        };
    try {
      Waits.until(what, SETTLE, () -> safe.get().isEmpty());
    } catch (IllegalStateException timedOut) {
      assertThat(safe.get()).as(what).isEmpty();
    }
  }

  // ------------------------------------------------------------------ checks

  /**
   * One reading of the store through the CLI for one check: the catalog ({@code lb-state
   * --catalog}) and {@code show --json}, each read at most once (every CLI call is a JVM start).
   */
  private final class Reading {
    private JsonNode catalog;
    private JsonNode show;

    JsonNode catalog() {
      if (catalog == null) {
        catalog =
            SwarmView.parse(cli.run("lb-state", "--catalog", "--node-id", "test-runner").orThrow());
      }
      return catalog;
    }

    JsonNode show() {
      if (show == null) {
        show = SwarmView.parse(cli.run("show", "--json").orThrow());
      }
      return show;
    }
  }

  /** The first check that finds violations, in order (the later ones are not run). */
  @SafeVarargs
  private static List<String> firstNonEmpty(java.util.function.Supplier<List<String>>... checks) {
    for (java.util.function.Supplier<List<String>> c : checks) {
      List<String> found = c.get();
      if (!found.isEmpty()) {
        return found;
      }
    }
    return List.of();
  }

  /**
   * Every running task: swarm recorded a placeholder; its container has another address of the
   * pool, outside the placeholder range, in a block its own host owns; the store maps one to the
   * other for that host; no container address is used twice.
   */
  private List<String> tasksAndMappingsAgree(Reading r) {
    List<String> out = new ArrayList<>();
    SwarmView view = new SwarmView(bed);
    Map<String, JsonNode> mapping = mappings(r);
    Map<String, List<String>> owned = blocksByOwner(r);
    Set<String> actuals = new HashSet<>();
    Set<String> taskPlaceholders = new HashSet<>();
    for (TaskRecord t : view.tasks("web")) {
      t.addressesByNetwork()
          .getOrDefault(NET, List.of())
          .forEach(a -> taskPlaceholders.add(a.split("/")[0]));
      if (!t.running()) {
        continue;
      }
      List<String> recorded = t.addressesByNetwork().getOrDefault(NET, List.of());
      if (recorded.size() != 1) {
        out.add(t.id() + " recorded " + recorded);
        continue;
      }
      String placeholder = recorded.get(0).split("/")[0];
      if (!PLACEHOLDERS.contains(IpAddress.parse(placeholder))) {
        out.add(
            t.id()
                + ": swarm recorded "
                + placeholder
                + ", outside the placeholder range "
                + PLACEHOLDERS);
      }
      String actual = view.containerAddress(t, NET).map(a -> a.split("/")[0]).orElse("none");
      if (actual.equals("none")
          || PLACEHOLDERS.contains(IpAddress.parse(actual))
          || !POOL.contains(IpAddress.parse(actual))) {
        out.add(
            t.id()
                + " on "
                + t.host()
                + ": container address "
                + actual
                + " is not a host address of "
                + POOL);
        continue;
      }
      if (!actuals.add(actual)) {
        out.add(actual + " used by two containers");
      }
      IpPrefix block = IpPrefix.containing(IpAddress.parse(actual), 26);
      if (!owned.getOrDefault(t.host(), List.of()).contains(block.toString())) {
        out.add(
            t.id()
                + ": "
                + actual
                + " is in block "
                + block
                + ", not one of "
                + t.host()
                + "'s "
                + owned.get(t.host()));
      }
      JsonNode mp = mapping.get(placeholder);
      if (mp == null
          || !mp.path("host").asText().equals(t.host())
          || !mp.path("actual").asText().equals(actual)) {
        out.add(
            t.id()
                + ": mapping of "
                + placeholder
                + " is "
                + mp
                + ", container "
                + actual
                + " on "
                + t.host());
      }
    }
    // Besides tasks, only each node's load-balancer endpoint on the network is a mapped
    // placeholder.
    Map<String, List<String>> others = new TreeMap<>();
    mapping.forEach(
        (p, m) -> {
          if (!taskPlaceholders.contains(p)) {
            others.computeIfAbsent(m.path("host").asText(), k -> new ArrayList<>()).add(p);
          }
        });
    others.forEach(
        (host, ps) -> {
          if (ps.size() > 1) {
            out.add(host + " maps placeholders no task has: " + ps);
          }
        });
    return out;
  }

  /**
   * The catalog lists web with exactly its running tasks' placeholders; every host that runs a task
   * plans its own VIP of web with every task's actual address as backends (VIPs distinct, each in
   * its host's blocks) and a route from every mapped placeholder to its actual address.
   */
  private List<String> lbViolations(Reading r) {
    List<String> out = new ArrayList<>();
    SwarmView view = new SwarmView(bed);
    Map<String, String> actualByPlaceholder = new TreeMap<>();
    Set<String> hostsWithTasks = new TreeSet<>();
    for (TaskRecord t : view.tasks("web")) {
      if (t.running()) {
        String p = t.addressesByNetwork().getOrDefault(NET, List.of("?")).get(0).split("/")[0];
        actualByPlaceholder.put(
            p, view.containerAddress(t, NET).map(a -> a.split("/")[0]).orElse("none"));
        hostsWithTasks.add(t.host());
      }
    }
    JsonNode catalog = r.catalog();
    Set<String> published = new TreeSet<>();
    for (JsonNode pool : catalog.path("pools")) {
      for (JsonNode s : pool.path("services")) {
        if (s.path("name").asText().equals("web")) {
          s.path("tasks").forEach(t -> published.add(t.path("placeholder").asText()));
        }
      }
    }
    if (!published.equals(actualByPlaceholder.keySet())) {
      out.add(
          "catalog lists placeholders "
              + published
              + ", swarm runs "
              + actualByPlaceholder.keySet());
    }
    Set<String> backends = new TreeSet<>(actualByPlaceholder.values());
    Map<String, List<String>> owned = blocksByOwner(r);
    Set<String> vips = new HashSet<>();
    for (String host : hostsWithTasks) {
      JsonNode plan = SwarmView.parse(cli.run("lb-state", "--node-id", host).orThrow());
      List<JsonNode> own = new ArrayList<>();
      plan.path("vips")
          .forEach(
              v -> {
                if (v.path("hostVip").asBoolean() && v.path("serviceName").asText().equals("web")) {
                  own.add(v);
                }
              });
      if (own.size() != 1) {
        out.add(host + " plans " + own.size() + " own VIPs of web: " + plan);
        continue;
      }
      String vip = own.get(0).path("frontend").asText();
      if (!vips.add(vip)) {
        out.add("VIP " + vip + " planned on two hosts");
      }
      if (!owned
          .getOrDefault(host, List.of())
          .contains(IpPrefix.containing(IpAddress.parse(vip), 26).toString())) {
        out.add(host + "'s VIP " + vip + " is not in its blocks " + owned.get(host));
      }
      Set<String> planned = new TreeSet<>();
      own.get(0).path("backends").forEach(b -> planned.add(b.asText()));
      if (!planned.equals(backends)) {
        out.add(host + " sends VIP " + vip + " to " + planned + ", tasks run on " + backends);
      }
      Map<String, String> routes = new TreeMap<>();
      plan.path("placeholders")
          .forEach(p -> routes.put(p.path("placeholder").asText(), p.path("actual").asText()));
      actualByPlaceholder.forEach(
          (p, a) -> {
            if (!a.equals(routes.get(p))) {
              out.add(
                  host
                      + " routes placeholder "
                      + p
                      + " to "
                      + routes.get(p)
                      + ", its container has "
                      + a);
            }
          });
    }
    return out;
  }

  /** Stored mappings by placeholder. */
  private static Map<String, JsonNode> mappings(Reading r) {
    JsonNode catalog = r.catalog();
    Map<String, JsonNode> out = new HashMap<>();
    catalog.path("mappings").forEach(m -> out.put(m.path("placeholder").asText(), m));
    return out;
  }

  private Set<String> runningPlaceholders() {
    Set<String> out = new TreeSet<>();
    new SwarmView(bed)
        .tasks("web").stream()
            .filter(TaskRecord::running)
            .forEach(
                t ->
                    out.add(
                        t.addressesByNetwork()
                            .getOrDefault(NET, List.of("?"))
                            .get(0)
                            .split("/")[0]));
    return out;
  }

  /** Blocks of the pool by owner, from {@code show --json}. */
  private static Map<String, List<String>> blocksByOwner(Reading r) {
    JsonNode show = r.show();
    Map<String, List<String>> out = new HashMap<>();
    collectBlocks(show, out);
    return out;
  }

  private static void collectBlocks(JsonNode n, Map<String, List<String>> out) {
    if (n.isObject() && n.has("block") && n.has("host")) {
      out.computeIfAbsent(n.path("host").asText(), k -> new ArrayList<>())
          .add(n.path("block").asText());
    }
    for (JsonNode child : n) {
      collectBlocks(child, out);
    }
  }

  private List<String> leftovers() {
    return EtcdKeys.poolState(bed, etcd, PREFIX);
  }
}
