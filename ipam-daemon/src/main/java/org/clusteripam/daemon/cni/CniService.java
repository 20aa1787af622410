package org.clusteripam.daemon.cni;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.clusteripam.cni.CniHandler;
import org.clusteripam.core.cni.CniIpam;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CNI side of the daemon: the engine's CNI facet behind the shim's socket, and its reconciler.
 */
public final class CniService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CniService.class);
  private final CniIpam cni;
  private final CniSocketServer server;
  private final CniReconciler reconciler;

  private CniService(CniIpam cni, CniSocketServer server, CniReconciler reconciler) {
    this.cni = cni;
    this.server = server;
    this.reconciler = reconciler;
  }

  public static CniService start(
      Path socket,
      CniIpam cni,
      Duration reconcileInterval,
      Duration leakGrace,
      MeterRegistry registry)
      throws IOException {
    Clock clock = Clock.systemUTC();
    String boot = BootId.read();
    CniSocketServer server = CniSocketServer.start(socket, new CniHandler(cni, boot));
    CniReconciler reconciler =
        new CniReconciler(cni, boot, reconcileInterval, leakGrace, clock, registry);
    reconciler.start();
    LOG.info("event=cni_listening socket={} boot_id={}", socket, boot);
    return new CniService(cni, server, reconciler);
  }

  public CniIpam attachments() {
    return cni;
  }

  public CniReconciler reconciler() {
    return reconciler;
  }

  @Override
  public void close() {
    reconciler.close();
    server.close();
  }
}
