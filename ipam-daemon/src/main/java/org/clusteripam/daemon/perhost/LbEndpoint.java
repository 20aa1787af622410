package org.clusteripam.daemon.perhost;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.ipam.HostId;

/**
 * The daemon's {@code GET /v1/lb} (on the metrics server): the plan of the loop's last pass; {@code
 * ?node=H} computes host H's plan now; {@code ?catalog} gives the published catalog, the
 * placeholder mappings and the nodes' task publications. Both read one snapshot of the read model.
 * JSON of {@link LbStateJson}; {@code lb-state} asks it while the daemon holds the embedded store.
 */
public final class LbEndpoint {
  private final IpamQueries queries;
  private final PerHostLoop loop;

  public LbEndpoint(IpamQueries queries, PerHostLoop loop) {
    this.queries = queries;
    this.loop = loop;
  }

  /**
   * The answer to the query string (null or empty: the last plan). Failures answer 503 with the
   * message.
   */
  public String answer(String query) {
    if (query == null || query.isEmpty()) {
      return LbStateJson.desiredState(
          loop.last().orElseThrow(() -> new NoPlanYetException()).state());
    }
    if (query.equals("catalog")) {
      return LbStateJson.catalog(queries.snapshot());
    }
    if (query.startsWith("node=") && query.length() > "node=".length()) {
      return LbStateJson.desiredState(
          queries
              .snapshot()
              .lbDesiredState(
                  new HostId(
                      URLDecoder.decode(
                          query.substring("node=".length()), StandardCharsets.UTF_8))));
    }
    throw new IllegalArgumentException(
        "unknown query \"" + query + "\": use /v1/lb, /v1/lb?node=HOST or /v1/lb?catalog");
  }

  /** The loop has not completed a pass yet (the daemon just started, or the store is down). */
  static final class NoPlanYetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NoPlanYetException() {
      super(
          "no load-balancer desired state computed yet: the per-host loop has not completed a pass (see the daemon's log)");
    }
  }
}
