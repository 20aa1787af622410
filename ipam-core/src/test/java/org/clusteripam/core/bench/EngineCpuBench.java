package org.clusteripam.core.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * {@link EngineBench}'s RequestAddress + ReleaseAddress pair timed by the thread's own CPU time as
 * well as by the wall clock: on a machine shared with other work the wall figure counts the time
 * the thread waited for a core, the CPU figure does not. Args: pool, addresses held, seconds per
 * round (default 3), rounds (default 5).
 */
public final class EngineCpuBench {
  private EngineCpuBench() {}

  public static void main(String[] args) {
    EngineBench b = new EngineBench();
    b.pool = args[0];
    b.held = Integer.parseInt(args[1]);
    double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 3;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    b.setup();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (int r = 0; r < rounds; r++) {
      long n = 0;
      long w0 = System.nanoTime();
      long c0 = mx.getCurrentThreadCpuTime();
      long end = w0 + (long) (seconds * 1e9);
      while (System.nanoTime() < end) {
        for (int i = 0; i < 100; i++) {
          b.requestThenRelease();
        }
        n += 100;
      }
      double wall = (System.nanoTime() - w0) / 1e3 / n;
      double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e3 / n;
      System.out.printf(
          "%s held=%d round %d: %.2f us/pair cpu, %.2f us/pair wall (%,d pairs)%n",
          b.pool, b.held, r + 1, cpu, wall, n);
    }
  }
}
