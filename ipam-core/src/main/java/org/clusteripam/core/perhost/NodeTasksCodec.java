package org.clusteripam.core.perhost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.store.StoreCorruptException;

/**
 * The stored form of a {@link NodeTasks}: small JSON, {@code
 * {"schema":1,"pool":…,"host":…,"tasks":[{"serviceId":…,
 * "serviceName":…,"taskId":…,"address":…}]}}. The pool and host are in the key too; a value whose
 * pool or host disagrees with its key is refused, like any value that does not decode.
 */
public final class NodeTasksCodec {
  public static final int SCHEMA = 1;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private NodeTasksCodec() {}

  public static byte[] encode(NodeTasks n) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("schema", SCHEMA);
    root.put("pool", n.pool().toString());
    root.put("host", n.host().value());
    ArrayNode tasks = root.putArray("tasks");
    for (TaskAddress t : n.tasks()) {
      ObjectNode o = tasks.addObject();
      o.put("serviceId", t.serviceId());
      o.put("serviceName", t.serviceName());
      o.put("taskId", t.taskId());
      o.put("address", t.address().toString());
    }
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode " + n, e);
    }
  }

  /**
   * Decodes the value of {@code key} ({@link Keys#tasks}); throws {@link StoreCorruptException} for
   * anything else.
   */
  public static NodeTasks decode(String key, byte[] data) {
    JsonNode root;
    try {
      root = MAPPER.readTree(data);
    } catch (IOException e) {
      throw new StoreCorruptException(key, "not valid JSON (" + e.getMessage() + ")", e);
    }
    if (root == null || !root.isObject()) {
      throw new StoreCorruptException(key, "expected a JSON object", null);
    }
    if (root.path("schema").asInt(-1) != SCHEMA) {
      throw new StoreCorruptException(
          key,
          "schema version "
              + root.path("schema")
              + " is not supported here (expected "
              + SCHEMA
              + ")",
          null);
    }
    try {
      IpPrefix pool = IpPrefix.parse(text(root, "pool"));
      HostId host = new HostId(text(root, "host"));
      if (!key.equals(Keys.tasks(pool, host.value()))) {
        throw new IllegalArgumentException(
            "pool "
                + pool
                + " and host "
                + host
                + " belong under "
                + Keys.tasks(pool, host.value()));
      }
      JsonNode tasks = root.path("tasks");
      if (!tasks.isArray()) {
        throw new IllegalArgumentException("tasks is not an array");
      }
      List<TaskAddress> out = new ArrayList<>();
      for (JsonNode t : tasks) {
        out.add(
            new TaskAddress(
                text(t, "serviceId"),
                text(t, "serviceName"),
                text(t, "taskId"),
                IpAddress.parse(text(t, "address"))));
      }
      return new NodeTasks(pool, host, out);
    } catch (IllegalArgumentException e) {
      throw new StoreCorruptException(key, e.getMessage(), e);
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("field " + field + " is missing or not text");
    }
    return v.asText();
  }
}
