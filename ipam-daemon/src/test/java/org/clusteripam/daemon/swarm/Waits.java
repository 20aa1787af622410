package org.clusteripam.daemon.swarm;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes (swarm converges asynchronously). */
final class Waits {
  private Waits() {}

  static void until(String what, Duration timeout, BooleanSupplier condition) {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return;
      }
      if (System.nanoTime() > end) {
        throw new IllegalStateException("timed out after " + timeout + " waiting for: " + what);
      }
      DockerHost.sleep(200);
    }
  }
}
