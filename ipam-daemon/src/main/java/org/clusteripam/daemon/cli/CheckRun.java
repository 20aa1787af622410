package org.clusteripam.daemon.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.clusteripam.core.ipam.AddressSpaces;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.reconcile.DockerState;
import org.clusteripam.core.reconcile.LeakDecider;
import org.clusteripam.core.reconcile.StoreView;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.daemon.reconcile.DockerApi;
import org.clusteripam.daemon.reconcile.StoreContentsReader;

/** One read-only comparison of Docker with the store, as a {@code check} JSON report (used by the CLI and the daemon's /v1/check). */
public final class CheckRun {
  private CheckRun() {}

  /** @throws DockerApi.DockerUnavailableException Docker could not be read */
  public static String report(StateStore store, AddressSpaces spaces, DockerApi docker, HostId node) throws Exception {
    long revision = store.revision(); // before reading Docker: only older records can be reported as leaked
    DockerState d = docker.read();
    StoreView view = new StoreContentsReader(store, spaces).read(revision, node);
    LeakDecider.Decision decision = LeakDecider.decide(node, view, d, Map.of(), Instant.now(), Duration.ZERO);
    return CniShow.addToReport(CheckReport.write(node.value(), revision, store.describe(), decision), store, node,
        org.clusteripam.daemon.cni.BootId.read());
  }
}
