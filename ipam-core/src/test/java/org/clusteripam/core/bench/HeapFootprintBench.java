package org.clusteripam.core.bench;

import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.clusteripam.core.alloc.BlockAllocator;
import org.clusteripam.core.alloc.DenseOffsetSet;
import org.clusteripam.core.alloc.SparseOffsetSet;
import org.clusteripam.core.net.IpPrefix;

/**
 * Prints the retained heap of allocator states, measured with a GC-based harness: the heap in use
 * after full GCs with the object alive, minus the heap in use without it. Run with a small fixed
 * heap, e.g. {@code -Xmx1g -XX:+UseSerialGC}.
 */
public final class HeapFootprintBench {
  private HeapFootprintBench() {}

  public static void main(String[] args) {
    report(
        "full /16 block: DenseOffsetSet",
        32,
        () -> {
          DenseOffsetSet s = new DenseOffsetSet(65536);
          for (int i = 0; i < 65536; i++) {
            s.add(i);
          }
          return s;
        });
    report(
        "full /16 block: BlockAllocator (65534 allocated)",
        32,
        () -> {
          IpPrefix p = IpPrefix.parse("10.0.0.0/16");
          BlockAllocator a = new BlockAllocator(p, p, Optional.empty(), 0);
          while (a.allocate(false, 0).isPresent()) {
            // fill
          }
          return a;
        });
    report(
        "1,000,000 allocations in an IPv6 /64, lowest first: BlockAllocator",
        4,
        () -> {
          IpPrefix p = IpPrefix.parse("fd00::/64");
          BlockAllocator a = new BlockAllocator(p, p, Optional.empty(), 0);
          for (int i = 0; i < 1_000_000; i++) {
            a.allocate(false, 0).orElseThrow();
          }
          return a;
        });
    report(
        "1,000,000 allocations in an IPv6 /64, random offsets (worst case): SparseOffsetSet",
        1,
        () -> {
          SparseOffsetSet s = SparseOffsetSet.ofLast(-2L);
          SplittableRandom r = new SplittableRandom(7);
          int n = 0;
          while (n < 1_000_000) {
            long o = r.nextLong();
            if (o != -1L && s.add(o)) {
              n++;
            }
          }
          return s;
        });
  }

  /**
   * Builds {@code copies} instances (after a warm-up one) and reports the heap retained per
   * instance.
   */
  private static void report(String what, int copies, Supplier<Object> build) {
    build.get(); // load classes and warm up outside the measurement
    long before = usedAfterGc();
    Object[] keep = new Object[copies];
    for (int i = 0; i < copies; i++) {
      keep[i] = build.get();
    }
    long after = usedAfterGc();
    long each = (after - before - 16L - 4L * copies) / copies;
    System.out.printf("%-85s %,14d bytes (%.2f MiB)%n", what, each, each / 1048576.0);
    if (keep[copies - 1].hashCode() == 42) {
      System.out.print(""); // keep the copies reachable until after the measurement
    }
  }

  private static long usedAfterGc() {
    Runtime rt = Runtime.getRuntime();
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 6; i++) {
      System.gc();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      best = Math.min(best, rt.totalMemory() - rt.freeMemory());
    }
    return best;
  }
}
