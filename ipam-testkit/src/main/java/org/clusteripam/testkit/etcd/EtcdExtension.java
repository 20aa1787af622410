package org.clusteripam.testkit.etcd;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real etcd for a test class: {@code @RegisterExtension static final EtcdExtension etcd = new
 * EtcdExtension();} starts it before the class's {@code @BeforeAll} methods and stops it by pid
 * after the class, also when a test or the start failed.
 */
public final class EtcdExtension implements BeforeAllCallback, AfterAllCallback {
  private EtcdProcess etcd;

  @Override
  public void beforeAll(ExtensionContext context) {
    etcd = EtcdProcess.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (etcd != null) {
      etcd.close();
      etcd = null;
    }
  }

  public String endpoint() {
    return running().endpoint();
  }

  /** SIGKILL, as a crash. */
  public void kill() {
    running().kill();
  }

  /** Starts again on the same data directory and ports. */
  public void restart() {
    running().restart();
  }

  private EtcdProcess running() {
    if (etcd == null) {
      throw new IllegalStateException(
          "etcd is not running: register the extension on a static field");
    }
    return etcd;
  }
}
