package org.clusteripam.core.perhost;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpFamily;

/**
 * Which addresses a service name resolves to on one host: always frontends (or, for {@code
 * tasks.NAME}, backends) of that host's own load-balancer plan, so a client is sent to an address
 * its own host balances. For {@code NAME} in the client's pool: swarm's VIP when this host's plan
 * holds it (the address Docker's own DNS gives, equal on every host), else this host's own VIP of
 * the service. Pure: the resolver of each host asks it with that host's last plan.
 */
public final class NameAnswers {
  /** The prefix that asks for a service's tasks (as in Docker's DNS) instead of its VIP. */
  public static final String TASKS_PREFIX = "tasks.";

  private NameAnswers() {}

  /**
   * The answer for {@code name} (case-insensitive, a trailing dot ignored) of {@code family}, asked
   * by {@code client} (its pool chooses the network when the service is on several); empty when no
   * service of the plan has that name (the name is not ours); a present empty list when the service
   * has no address of that family.
   */
  public static Optional<List<IpAddress>> answer(
      LbDesiredState plan, String name, IpFamily family, Optional<IpAddress> client) {
    String n = normalize(name);
    boolean tasks = n.startsWith(TASKS_PREFIX);
    String service = tasks ? n.substring(TASKS_PREFIX.length()) : n;
    List<VipRoute> routes =
        plan.vips().stream()
            .filter(
                v ->
                    v.serviceName() != null
                        && v.serviceName().toLowerCase(Locale.ROOT).equals(service))
            .toList();
    if (routes.isEmpty()) {
      return Optional.empty();
    }
    List<VipRoute> inClientPool =
        client
            .map(c -> routes.stream().filter(v -> v.pool().contains(c)).toList())
            .orElse(List.of());
    List<VipRoute> chosen = inClientPool.isEmpty() ? routes : inClientPool;
    List<IpAddress> out = new ArrayList<>();
    if (tasks) {
      chosen.stream()
          .flatMap(v -> v.backends().stream())
          .filter(a -> a.family() == family)
          .distinct()
          .sorted()
          .forEach(out::add);
      return Optional.of(List.copyOf(out));
    }
    List<VipRoute> ofFamily = chosen.stream().filter(v -> v.frontend().family() == family).toList();
    List<VipRoute> swarm = ofFamily.stream().filter(v -> !v.hostVip()).toList();
    (swarm.isEmpty() ? ofFamily : swarm)
        .stream().map(VipRoute::frontend).distinct().sorted().forEach(out::add);
    return Optional.of(List.copyOf(out));
  }

  /** Lower case, without the trailing dot of a fully qualified name. */
  public static String normalize(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }
}
