package org.clusteripam.lb.reconcile;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.clusteripam.lb.ForwardMethod;
import org.clusteripam.lb.ServiceKey;
import org.clusteripam.lb.VirtualService;

/** A service as it should be: its settings, how to forward, and its backends with weights. */
public record DesiredService(
    VirtualService service, ForwardMethod forward, List<Backend> backends) {
  public DesiredService {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(forward, "forward");
    backends = List.copyOf(backends);
    Set<Endpoint> seen = new HashSet<>();
    for (Backend b : backends) {
      if (!seen.add(b.endpoint())) {
        throw new IllegalArgumentException("backend listed twice: " + b);
      }
    }
  }

  /** A NAT service without persistence. */
  public static DesiredService of(ServiceKey key, String scheduler, Backend... backends) {
    return new DesiredService(
        VirtualService.of(key, scheduler), ForwardMethod.MASQ, List.of(backends));
  }

  public ServiceKey key() {
    return service.key();
  }
}
