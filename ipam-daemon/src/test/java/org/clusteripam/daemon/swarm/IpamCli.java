package org.clusteripam.daemon.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The daemon jar's command line ({@code show}, {@code reclaim-host}, ...) run from the test side
 * against the bed's shared etcd, inside the hub namespace (the only place that reaches it).
 */
public final class IpamCli {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private final SwarmTestBed bed;
  private final HubEtcd etcd;

  public IpamCli(SwarmTestBed bed, HubEtcd etcd) {
    this.bed = bed;
    this.etcd = etcd;
  }

  /** {@code COMMAND --etcd ENDPOINT ARGS}. */
  public CommandResult run(String command, String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "ip",
                "netns",
                "exec",
                bed.hubNamespace(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-jar",
                ClusterIpamPlugin.JAR.toString(),
                command,
                "--etcd",
                etcd.endpoint()));
    cmd.addAll(List.of(args));
    CommandResult r = Commands.run(cmd, java.util.Map.of(), TIMEOUT);
    for (int attempt = 1;
        attempt < 3 && !r.ok() && r.stderr().contains("etcd did not answer");
        attempt++) {
      // A fresh JVM's first etcd read can overrun the CLI's 5 s on a machine under heavy load: ask
      // again.
      r = Commands.run(cmd, java.util.Map.of(), TIMEOUT);
    }
    return r;
  }

  /**
   * Every stored address held by {@code node}, as {@code pool address} strings, from {@code show
   * --json}.
   */
  public List<String> addressesHeldBy(String node) {
    JsonNode show = SwarmView.parse(run("show", "--json").orThrow());
    List<String> held = new ArrayList<>();
    collect(show, node, held);
    return held;
  }

  /** Pools (CIDR) whose holders include {@code node}, from {@code show --json}. */
  public List<String> poolsHeldBy(String node) {
    JsonNode show = SwarmView.parse(run("show", "--json").orThrow());
    List<String> held = new ArrayList<>();
    collectPools(show, node, held);
    return held;
  }

  private static void collectPools(JsonNode n, String node, List<String> out) {
    if (n.isObject() && n.has("pool") && n.has("holders")) {
      for (JsonNode h : n.path("holders")) {
        if (h.asText().equals(node)) {
          out.add(n.path("pool").asText());
        }
      }
    }
    for (JsonNode child : n) {
      collectPools(child, node, out);
    }
  }

  /**
   * Walks the JSON: any object with an {@code address} and {@code holders} containing the node
   * counts.
   */
  private static void collect(JsonNode n, String node, List<String> out) {
    if (n.isObject() && n.has("address") && n.has("holders")) {
      for (JsonNode h : n.path("holders")) {
        if (h.asText().equals(node)) {
          out.add(n.path("address").asText());
        }
      }
    }
    for (JsonNode child : n) {
      collect(child, node, out);
    }
  }
}
