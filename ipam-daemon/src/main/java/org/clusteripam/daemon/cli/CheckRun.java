package org.clusteripam.daemon.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.reconcile.DockerState;
import org.clusteripam.core.reconcile.LeakDecider;
import org.clusteripam.core.reconcile.StoreView;
import org.clusteripam.daemon.reconcile.DockerApi;

/**
 * One read-only comparison of Docker with the store, as a {@code check} JSON report (used by the
 * CLI and the daemon's /v1/check).
 */
public final class CheckRun {
  private CheckRun() {}

  /**
   * Compares Docker with one snapshot of the store read after it ({@code where} names the store).
   *
   * @throws DockerApi.DockerUnavailableException Docker could not be read
   */
  public static String report(IpamQueries queries, String where, DockerApi docker, HostId node)
      throws Exception {
    // before reading Docker: only older records can be reported as leaked
    long revision = queries.revision();
    DockerState d = docker.read();
    IpamQueries.Snapshot s = queries.snapshot();
    StoreView view = queries.storeView(s, revision, node);
    LeakDecider.Decision decision =
        LeakDecider.decide(node, view, d, Map.of(), Instant.now(), Duration.ZERO);
    return CniShow.addToReport(
        CheckReport.write(node.value(), revision, where, decision),
        s.attachmentsOf(node),
        org.clusteripam.daemon.cni.BootId.read());
  }
}
