package org.clusteripam.daemon.perhost;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.perhost.CatalogService;
import org.clusteripam.core.perhost.CatalogTask;
import org.clusteripam.core.perhost.LbDesiredState;
import org.clusteripam.core.perhost.NodeTasks;
import org.clusteripam.core.perhost.PlaceholderMapping;
import org.clusteripam.core.perhost.PlaceholderRoute;
import org.clusteripam.core.perhost.ServicePort;
import org.clusteripam.core.perhost.TaskAddress;
import org.clusteripam.core.perhost.VipRoute;

/**
 * The JSON of per-host mode, one line each, shared by {@code cluster-ipam lb-state} and the
 * daemon's {@code /v1/lb} (tests and scripts parse it):
 *
 * <pre>
 * {"host":"h1","vips":[{"pool":"10.91.0.0/24","serviceId":"..","serviceName":"..","frontend":"10.91.0.5","hostVip":true,
 *   "ports":["80/tcp"],"backends":["10.91.0.2"]}],
 *  "placeholders":[{"pool":"10.91.0.0/24","placeholder":"10.91.0.200","host":"h2","actual":"10.91.0.66","serviceId":"..","ports":[]}]}
 * {"pools":[{"pool":"..","services":[{"serviceId":"..","name":"..","vip":".." or null,"ports":[".."],
 *   "tasks":[{"taskId":"..","placeholder":".."}]}]}],
 *  "mappings":[{"pool":"..","placeholder":"..","host":"..","actual":".."}],
 *  "published":[{"pool":"..","host":"..","tasks":[{"serviceId":"..","serviceName":"..","taskId":"..","address":".."}]}]}
 * </pre>
 */
public final class LbStateJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LbStateJson() {}

  /** A host's load-balancer plan. */
  public static String desiredState(LbDesiredState s) {
    ObjectNode o = JSON.createObjectNode();
    o.put("host", s.host().value());
    ArrayNode vips = o.putArray("vips");
    for (VipRoute v : s.vips()) {
      ObjectNode n = vips.addObject();
      n.put("pool", v.pool().toString());
      n.put("serviceId", v.serviceId());
      n.put("serviceName", v.serviceName());
      n.put("frontend", v.frontend().toString());
      n.put("hostVip", v.hostVip());
      ports(n.putArray("ports"), v.ports());
      ArrayNode backends = n.putArray("backends");
      v.backends().forEach(b -> backends.add(b.toString()));
    }
    ArrayNode placeholders = o.putArray("placeholders");
    for (PlaceholderRoute p : s.placeholders()) {
      ObjectNode n = placeholders.addObject();
      n.put("pool", p.pool().toString());
      n.put("placeholder", p.placeholder().toString());
      n.put("host", p.host().value());
      n.put("actual", p.actual().toString());
      n.put("serviceId", p.serviceId());
      ports(n.putArray("ports"), p.ports());
    }
    return write(o);
  }

  /**
   * The published catalog, the placeholder mappings and the nodes' task publications of every live
   * per-host pool in {@code s}.
   */
  public static String catalog(IpamQueries.Snapshot s) {
    Map<IpPrefix, List<CatalogService>> byPool = new TreeMap<>();
    List<PlaceholderMapping> mappings = new ArrayList<>();
    List<NodeTasks> published = new ArrayList<>();
    for (IpamQueries.PerHostPoolView p : s.perHost()) {
      byPool.put(p.pool(), p.catalog());
      s.pool(p.pool()).ifPresent(v -> mappings.addAll(v.mappings()));
      published.addAll(p.published());
    }
    return catalog(byPool, mappings, published);
  }

  /** The published catalog of each pool, and every placeholder mapping. */
  public static String catalog(
      Map<IpPrefix, List<CatalogService>> byPool, Collection<PlaceholderMapping> mappings) {
    return catalog(byPool, mappings, List.of());
  }

  /** The same, with every node's publication of its running tasks. */
  public static String catalog(
      Map<IpPrefix, List<CatalogService>> byPool,
      Collection<PlaceholderMapping> mappings,
      Collection<NodeTasks> published) {
    ObjectNode o = JSON.createObjectNode();
    ArrayNode pools = o.putArray("pools");
    byPool.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              ObjectNode p = pools.addObject();
              p.put("pool", e.getKey().toString());
              ArrayNode services = p.putArray("services");
              for (CatalogService s : e.getValue()) {
                ObjectNode n = services.addObject();
                n.put("serviceId", s.serviceId());
                n.put("name", s.name());
                if (s.vip().isPresent()) {
                  n.put("vip", s.vip().get().toString());
                } else {
                  n.putNull("vip");
                }
                ports(n.putArray("ports"), s.ports());
                ArrayNode tasks = n.putArray("tasks");
                for (CatalogTask t : s.tasks()) {
                  tasks
                      .addObject()
                      .put("taskId", t.taskId())
                      .put("placeholder", t.placeholder().toString());
                }
              }
            });
    ArrayNode ms = o.putArray("mappings");
    for (PlaceholderMapping m : mappings) {
      ms.addObject()
          .put("pool", m.pool().toString())
          .put("placeholder", m.placeholder().toString())
          .put("host", m.host().value())
          .put("actual", m.actual().toString());
    }
    ArrayNode ps = o.putArray("published");
    for (NodeTasks n : published) {
      ObjectNode p = ps.addObject().put("pool", n.pool().toString()).put("host", n.host().value());
      ArrayNode tasks = p.putArray("tasks");
      for (TaskAddress t : n.tasks()) {
        tasks
            .addObject()
            .put("serviceId", t.serviceId())
            .put("serviceName", t.serviceName())
            .put("taskId", t.taskId())
            .put("address", t.address().toString());
      }
    }
    return write(o);
  }

  private static void ports(ArrayNode out, List<ServicePort> ports) {
    ports.forEach(p -> out.add(p.toString()));
  }

  private static String write(ObjectNode o) {
    try {
      return JSON.writeValueAsString(o) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
