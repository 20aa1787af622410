package org.clusteripam.daemon.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.stream.Stream;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Per-host mode on a real swarm (issue 7, seeds/000 and 002): one manager and two workers running
 * {@code cluster-ipam:latest} on one etcd. Swarm records placeholders from the network's placeholder
 * range; every container really has an address of its own host's blocks; the mapping is in the
 * store; the manager's daemon publishes the service catalog; and every host's load balancer plan
 * (read with {@code lb-state}, the daemon's own computation over the store) sends the service's VIP
 * on that host and each placeholder to the actual addresses. Kernel IPVS itself is covered by
 * ipam-lb's user-mode-linux test (this kernel has none).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PerHostModeSwarmTest {
  private static final String NET = "ph";
  private static final IpPrefix POOL = IpPrefix.parse("10.94.0.0/24");
  private static final IpPrefix PLACEHOLDERS = IpPrefix.parse("10.94.0.192/26"); // the default: the top quarter
  private static final String PREFIX = "/cluster-ipam/";
  private static final Duration SETTLE = Duration.ofSeconds(60);
  private SwarmTestBed bed;
  private HubEtcd etcd;
  private Services services;
  private IpamCli cli;

  @BeforeAll
  void bringUp() {
    PluginBed up = PluginBed.start(3, 1, List.of("IPAM_LB_INTERVAL=PT1S"));
    bed = up.bed();
    etcd = up.etcd();
    services = new Services(bed);
    cli = new IpamCli(bed, etcd);
  }

  @AfterAll
  void tearDown() {
    if (bed != null) {
      bed.close();
    }
  }

  @Test
  @Order(1)
  void tasksRecordPlaceholdersWhileTheirContainersHaveAddressesOfTheirHostsBlocks() {
    PluginBed.createOverlay(bed.manager(), NET, "--subnet", POOL.toString(), "--ipam-opt", "addressing=per-host");
    long t0 = System.nanoTime();
    services.create("web", NET, 6);
    services.awaitRunning("web", 6);
    Figures.record("per-host: 6 replicas running", (System.nanoTime() - t0) / 1_000_000 + " ms");
    assertThat(new SwarmView(bed).tasks("web").stream().map(TaskRecord::host).distinct()).as("tasks spread over the hosts").hasSize(3);
    Waits.until("every running task mapped", SETTLE, () -> tasksAndMappingsAgree().isEmpty());
    assertThat(tasksAndMappingsAgree()).isEmpty();
  }

  @Test
  @Order(2)
  void theManagerPublishesTheCatalogAndEveryHostPlansItsLoadBalancer() {
    Waits.until("catalog and LB plans in step with swarm", SETTLE, () -> lbViolations().isEmpty());
    assertThat(lbViolations()).isEmpty();
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
    Waits.until("mappings and plans follow the scale-down", SETTLE, () -> tasksAndMappingsAgree().isEmpty() && lbViolations().isEmpty()
        && removed.stream().noneMatch(mappings()::containsKey));
    assertThat(tasksAndMappingsAgree()).isEmpty();
    assertThat(lbViolations()).isEmpty();
    assertThat(mappings().keySet()).as("mappings of the removed tasks").doesNotContainAnyElementsOf(removed);

    services.scale("web", 5);
    services.awaitRunning("web", 5);
    Waits.until("mappings and plans follow the scale-up", SETTLE, () -> tasksAndMappingsAgree().isEmpty() && lbViolations().isEmpty());
    assertThat(tasksAndMappingsAgree()).isEmpty();
    assertThat(lbViolations()).isEmpty();
  }

  @Test
  @Order(4)
  void removingTheServiceAndNetworkLeavesNoMappingCatalogOrPool() {
    services.remove("web");
    DockerHost m = bed.anyLiveManager();
    Waits.until(NET + " removed", Duration.ofSeconds(60), () -> m.docker("network", "rm", NET).ok() || !m.docker("network", "inspect", NET).ok());
    try {
      Waits.until("no pool, block, mapping or catalog key left", Duration.ofSeconds(30), () -> leftovers().isEmpty());
    } catch (IllegalStateException timedOut) {
      assertThat(leftovers()).as("keys left after the network went; store:%n%s", cli.run("show").stdout()).isEmpty();
    }
  }

  // ------------------------------------------------------------------ checks

  /**
   * Every running task: swarm recorded a placeholder; its container has another address of the pool,
   * outside the placeholder range, in a block its own host owns; the store maps one to the other for
   * that host; no container address is used twice.
   */
  private List<String> tasksAndMappingsAgree() {
    List<String> out = new ArrayList<>();
    SwarmView view = new SwarmView(bed);
    Map<String, JsonNode> mapping = mappings();
    Map<String, List<String>> owned = blocksByOwner();
    Set<String> actuals = new HashSet<>();
    Set<String> taskPlaceholders = new HashSet<>();
    for (TaskRecord t : view.tasks("web")) {
      t.addressesByNetwork().getOrDefault(NET, List.of()).forEach(a -> taskPlaceholders.add(a.split("/")[0]));
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
        out.add(t.id() + ": swarm recorded " + placeholder + ", outside the placeholder range " + PLACEHOLDERS);
      }
      String actual = view.containerAddress(t, NET).map(a -> a.split("/")[0]).orElse("none");
      if (actual.equals("none") || PLACEHOLDERS.contains(IpAddress.parse(actual)) || !POOL.contains(IpAddress.parse(actual))) {
        out.add(t.id() + " on " + t.host() + ": container address " + actual + " is not a host address of " + POOL);
        continue;
      }
      if (!actuals.add(actual)) {
        out.add(actual + " used by two containers");
      }
      IpPrefix block = IpPrefix.containing(IpAddress.parse(actual), 26);
      if (!owned.getOrDefault(t.host(), List.of()).contains(block.toString())) {
        out.add(t.id() + ": " + actual + " is in block " + block + ", not one of " + t.host() + "'s " + owned.get(t.host()));
      }
      JsonNode mp = mapping.get(placeholder);
      if (mp == null || !mp.path("host").asText().equals(t.host()) || !mp.path("actual").asText().equals(actual)) {
        out.add(t.id() + ": mapping of " + placeholder + " is " + mp + ", container " + actual + " on " + t.host());
      }
    }
    // Besides tasks, only each node's load-balancer endpoint on the network is a mapped placeholder.
    Map<String, List<String>> others = new TreeMap<>();
    mapping.forEach((p, m) -> {
      if (!taskPlaceholders.contains(p)) {
        others.computeIfAbsent(m.path("host").asText(), k -> new ArrayList<>()).add(p);
      }
    });
    others.forEach((host, ps) -> {
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
  private List<String> lbViolations() {
    List<String> out = new ArrayList<>();
    SwarmView view = new SwarmView(bed);
    Map<String, String> actualByPlaceholder = new TreeMap<>();
    Set<String> hostsWithTasks = new TreeSet<>();
    for (TaskRecord t : view.tasks("web")) {
      if (t.running()) {
        String p = t.addressesByNetwork().getOrDefault(NET, List.of("?")).get(0).split("/")[0];
        actualByPlaceholder.put(p, view.containerAddress(t, NET).map(a -> a.split("/")[0]).orElse("none"));
        hostsWithTasks.add(t.host());
      }
    }
    JsonNode catalog = SwarmView.parse(cli.run("lb-state", "--catalog", "--node-id", "test-runner").orThrow());
    Set<String> published = new TreeSet<>();
    for (JsonNode pool : catalog.path("pools")) {
      for (JsonNode s : pool.path("services")) {
        if (s.path("name").asText().equals("web")) {
          s.path("tasks").forEach(t -> published.add(t.path("placeholder").asText()));
        }
      }
    }
    if (!published.equals(actualByPlaceholder.keySet())) {
      out.add("catalog lists placeholders " + published + ", swarm runs " + actualByPlaceholder.keySet());
    }
    Set<String> backends = new TreeSet<>(actualByPlaceholder.values());
    Map<String, List<String>> owned = blocksByOwner();
    Set<String> vips = new HashSet<>();
    for (String host : hostsWithTasks) {
      JsonNode plan = SwarmView.parse(cli.run("lb-state", "--node-id", host).orThrow());
      List<JsonNode> own = new ArrayList<>();
      plan.path("vips").forEach(v -> {
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
      if (!owned.getOrDefault(host, List.of()).contains(IpPrefix.containing(IpAddress.parse(vip), 26).toString())) {
        out.add(host + "'s VIP " + vip + " is not in its blocks " + owned.get(host));
      }
      Set<String> planned = new TreeSet<>();
      own.get(0).path("backends").forEach(b -> planned.add(b.asText()));
      if (!planned.equals(backends)) {
        out.add(host + " sends VIP " + vip + " to " + planned + ", tasks run on " + backends);
      }
      Map<String, String> routes = new TreeMap<>();
      plan.path("placeholders").forEach(r -> routes.put(r.path("placeholder").asText(), r.path("actual").asText()));
      actualByPlaceholder.forEach((p, a) -> {
        if (!a.equals(routes.get(p))) {
          out.add(host + " routes placeholder " + p + " to " + routes.get(p) + ", its container has " + a);
        }
      });
    }
    return out;
  }

  /** Stored mappings by placeholder. */
  private Map<String, JsonNode> mappings() {
    JsonNode catalog = SwarmView.parse(cli.run("lb-state", "--catalog", "--node-id", "test-runner").orThrow());
    Map<String, JsonNode> out = new HashMap<>();
    catalog.path("mappings").forEach(m -> out.put(m.path("placeholder").asText(), m));
    return out;
  }

  private Set<String> runningPlaceholders() {
    Set<String> out = new TreeSet<>();
    new SwarmView(bed).tasks("web").stream().filter(TaskRecord::running)
        .forEach(t -> out.add(t.addressesByNetwork().getOrDefault(NET, List.of("?")).get(0).split("/")[0]));
    return out;
  }

  /** Blocks of the pool by owner, from {@code show --json}. */
  private Map<String, List<String>> blocksByOwner() {
    JsonNode show = SwarmView.parse(cli.run("show", "--json").orThrow());
    Map<String, List<String>> out = new HashMap<>();
    collectBlocks(show, out);
    return out;
  }

  private static void collectBlocks(JsonNode n, Map<String, List<String>> out) {
    if (n.isObject() && n.has("block") && n.has("host")) {
      out.computeIfAbsent(n.path("host").asText(), k -> new ArrayList<>()).add(n.path("block").asText());
    }
    for (JsonNode child : n) {
      collectBlocks(child, out);
    }
  }

  private List<String> leftovers() {
    return EtcdKeys.under(bed, etcd, PREFIX).stream()
        .filter(k -> Stream.of("blocks/", "pools/", "holders/", "affinity/", "names/", "placeholders/", "catalog/")
            .anyMatch(p -> k.startsWith(PREFIX + p)))
        .toList();
  }
}
