package org.clusteripam.core.perhost;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.clusteripam.core.ipam.Names;
import org.clusteripam.core.net.IpAddress;

/**
 * One swarm service attached to one per-host network, as a manager read it from the Docker API and
 * published it into the store: its VIP on that network (none in {@code dnsrr} mode), the target
 * ports of its endpoint spec, and its tasks' placeholders. Lists are kept sorted so that equal
 * catalogs encode to equal bytes (a publisher writes only what changed).
 */
public record CatalogService(
    String serviceId,
    String name,
    Optional<IpAddress> vip,
    List<ServicePort> ports,
    List<CatalogTask> tasks) {
  public CatalogService {
    checkId("service id", serviceId);
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(vip, "vip");
    ports = ports.stream().distinct().sorted().toList();
    tasks = tasks.stream().sorted(Comparator.comparing(CatalogTask::taskId)).toList();
  }

  /**
   * Swarm ids are alphanumerics; names allowed too, without '/' or spaces (they become store keys).
   */
  static void checkId(String what, String id) {
    if (!Names.isValid(id, 128)) {
      throw new IllegalArgumentException(Names.problem(what, 128, id));
    }
  }
}
