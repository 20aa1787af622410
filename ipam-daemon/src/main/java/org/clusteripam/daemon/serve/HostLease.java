package org.clusteripam.daemon.serve;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.store.StateStore;

/**
 * The liveness key a running daemon keeps in the store ({@code leases/<node>}); {@code
 * reclaim-host} refuses while it exists. Not cluster state: the one daemon class that reads and
 * writes the store itself.
 */
public final class HostLease {
  public static final Duration TTL = Duration.ofSeconds(30);

  private HostLease() {}

  public static String key(HostId node) {
    return "leases/" + node.value();
  }

  /** Whether {@code node}'s daemon keeps its lease (it runs, or stopped less than a TTL ago). */
  public static boolean held(StateStore store, HostId node) {
    return store.peek(key(node)).isPresent();
  }

  static void keep(StateStore store, HostId node) {
    String v =
        "{\"node\":\""
            + node.value()
            + "\",\"pid\":"
            + ProcessHandle.current().pid()
            + ",\"since\":\""
            + Instant.now()
            + "\"}";
    store.keepAlive(key(node), v.getBytes(StandardCharsets.UTF_8), TTL);
  }
}
