package org.clusteripam.daemon.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads what swarm recorded (tasks, their addresses) and what each host really did (container
 * addresses).
 */
public final class SwarmView {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final SwarmTestBed bed;

  public SwarmView(SwarmTestBed bed) {
    this.bed = bed;
  }

  /** Tasks of a service whose desired state is running, as recorded on a live manager. */
  public List<TaskRecord> tasks(String service) {
    DockerHost m = bed.anyLiveManager();
    List<String> ids =
        m.docker("service", "ps", "-q", "--no-trunc", "--filter", "desired-state=running", service)
            .lines();
    if (ids.isEmpty()) {
      return List.of();
    }
    Map<String, String> hostByNode = hostByNodeId(m);
    List<String> args = new ArrayList<>(List.of("inspect", "--type", "task"));
    args.addAll(ids);
    List<TaskRecord> tasks = new ArrayList<>();
    for (JsonNode t : parse(m.must(args.toArray(String[]::new)))) {
      Map<String, List<String>> addresses = new LinkedHashMap<>();
      for (JsonNode att : t.path("NetworksAttachments")) {
        List<String> a = new ArrayList<>();
        att.path("Addresses").forEach(x -> a.add(x.asText()));
        addresses.put(att.path("Network").path("Spec").path("Name").asText(), List.copyOf(a));
      }
      tasks.add(
          new TaskRecord(
              t.path("ID").asText(),
              service,
              t.path("Slot").asInt(),
              hostByNode.getOrDefault(t.path("NodeID").asText(), "?"),
              t.path("Status").path("ContainerStatus").path("ContainerID").asText(""),
              t.path("Status").path("State").asText(),
              t.path("DesiredState").asText(),
              Map.copyOf(addresses)));
    }
    return tasks;
  }

  /**
   * The address (CIDR form) the task's container really has on {@code network}, asked of its own
   * host.
   */
  public Optional<String> containerAddress(TaskRecord task, String network) {
    if (task.containerId().isEmpty()) {
      return Optional.empty();
    }
    CommandResult r =
        bed.host(task.host()).docker("inspect", "--type", "container", task.containerId());
    if (!r.ok()) {
      return Optional.empty();
    }
    JsonNode n = parse(r.stdout()).path(0).path("NetworkSettings").path("Networks").path(network);
    String ip = n.path("IPAddress").asText("");
    return ip.isEmpty() ? Optional.empty() : Optional.of(ip + "/" + n.path("IPPrefixLen").asInt());
  }

  /** Network inspect on a host (manager: swarm's view; a node: its local copy). */
  public JsonNode network(DockerHost host, String network) {
    return parse(host.must("network", "inspect", "--verbose", network)).path(0);
  }

  private static Map<String, String> hostByNodeId(DockerHost m) {
    Map<String, String> map = new HashMap<>();
    for (String line : m.docker("node", "ls", "--format", "{{.ID}} {{.Hostname}}").lines()) {
      String[] f = line.split(" ");
      map.put(f[0], f[1]);
    }
    return map;
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("docker printed JSON that does not parse: " + json, e);
    }
  }
}
