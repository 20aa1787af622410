package org.clusteripam.daemon.swarm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs cleanup steps in order, each even if an earlier one failed, and reports all failures at the
 * end.
 */
final class Teardown {
  interface Step {
    void run() throws Exception;
  }

  private final List<Exception> failures = new ArrayList<>();
  private final Map<String, Long> millis = new LinkedHashMap<>();

  void step(String what, Step step) {
    long t0 = System.nanoTime();
    try {
      step.run();
    } catch (Exception e) {
      failures.add(
          new IllegalStateException("teardown step '" + what + "' failed: " + e.getMessage(), e));
    } finally {
      millis.put(what, (System.nanoTime() - t0) / 1_000_000);
    }
  }

  /** How long each step took, in order (for finding what makes a teardown slow). */
  Map<String, Long> stepMillis() {
    return Map.copyOf(millis);
  }

  @Override
  public String toString() {
    return millis.toString();
  }

  void throwIfFailed() {
    if (!failures.isEmpty()) {
      IllegalStateException e =
          new IllegalStateException(
              failures.size() + " teardown step(s) failed; first: " + failures.get(0).getMessage());
      failures.forEach(e::addSuppressed);
      throw e;
    }
  }
}
