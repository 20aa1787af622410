package org.clusteripam.daemon.perhost;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.TaskAddress;
import org.clusteripam.daemon.reconcile.DockerApi;

/**
 * Reads this node's running swarm tasks from its own Docker ({@code GET /containers/json} with the
 * {@code com.docker.swarm.task.id} label): each container's service and task labels and its
 * addresses on every network, kept where an address lies in a per-host pool. Works on workers too
 * (no manager API), and on networks of local drivers, where swarm records no task address.
 */
public final class LocalTaskReader implements TaskSource {
  static final String SERVICE_ID = "com.docker.swarm.service.id";
  static final String SERVICE_NAME = "com.docker.swarm.service.name";
  static final String TASK_ID = "com.docker.swarm.task.id";
  static final String RUNNING_TASK_CONTAINERS =
      "/containers/json?filters="
          + URLEncoder.encode(
              "{\"label\":[\"" + TASK_ID + "\"],\"status\":[\"running\"]}", StandardCharsets.UTF_8);

  private final Function<String, JsonNode> get;

  /**
   * @param get {@code GET path} of the Engine API as JSON; throws when Docker cannot answer
   */
  LocalTaskReader(Function<String, JsonNode> get) {
    this.get = get;
  }

  public static LocalTaskReader over(DockerApi docker) {
    return new LocalTaskReader(docker::getJson);
  }

  @Override
  public LocalTasks read(Set<IpPrefix> perHostPools) {
    return convert(get.apply(RUNNING_TASK_CONTAINERS), perHostPools);
  }

  static LocalTasks convert(JsonNode containers, Set<IpPrefix> perHostPools) {
    Map<IpPrefix, List<TaskAddress>> out = new TreeMap<>();
    List<String> skipped = new ArrayList<>();
    for (JsonNode c : containers) {
      JsonNode labels = c.path("Labels");
      String service = labels.path(SERVICE_ID).asText("");
      String name = labels.path(SERVICE_NAME).asText("");
      String task = labels.path(TASK_ID).asText("");
      String id = c.path("Id").asText("?");
      if (service.isEmpty() || task.isEmpty()) {
        skipped.add("container " + id + ": no swarm service or task label");
        continue;
      }
      for (Map.Entry<String, JsonNode> n :
          c.path("NetworkSettings").path("Networks").properties()) {
        for (String field : List.of("IPAddress", "GlobalIPv6Address")) {
          String text = n.getValue().path(field).asText("");
          if (text.isEmpty()) {
            continue;
          }
          try {
            IpAddress a = IpAddress.parse(text);
            Optional<IpPrefix> pool =
                perHostPools.stream()
                    .filter(p -> p.family() == a.family() && p.contains(a))
                    .max(java.util.Comparator.comparingInt(IpPrefix::length));
            if (pool.isPresent()) {
              out.computeIfAbsent(pool.get(), k -> new ArrayList<>())
                  .add(new TaskAddress(service, name, task, a));
            }
          } catch (IllegalArgumentException e) {
            skipped.add(
                "container "
                    + id
                    + " on "
                    + n.getKey()
                    + " address "
                    + text
                    + ": "
                    + e.getMessage());
          }
        }
      }
    }
    return new LocalTasks(out, skipped);
  }
}
