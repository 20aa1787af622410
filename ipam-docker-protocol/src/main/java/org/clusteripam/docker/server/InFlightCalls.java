package org.clusteripam.docker.server;

import java.time.Duration;

/** Counts calls between their arrival and their response being written, for a graceful close. */
final class InFlightCalls {
  private int count;

  synchronized void enter() {
    count++;
  }

  synchronized void exit() {
    count--;
    if (count == 0) {
      notifyAll();
    }
  }

  synchronized int count() {
    return count;
  }

  /** Waits until no call is in flight; false if the timeout passed first. */
  synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (count > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }
}
