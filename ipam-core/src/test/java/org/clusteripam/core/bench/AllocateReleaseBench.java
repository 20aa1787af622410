package org.clusteripam.core.bench;

import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.clusteripam.core.alloc.BlockAllocator;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Address allocation math in one block: release a random used address and allocate again (the
 * lowest free address, i.e. that one) with the block half full; and filling an empty block.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class AllocateReleaseBench {

  /** A block half full, allocated lowest first. */
  @State(Scope.Thread)
  public static class HalfFull {
    @Param({"10.0.0.0/24", "10.0.0.0/16", "10.0.0.0/8", "fd00::/64"})
    public String block;

    BlockAllocator alloc;
    IpAddress base;

    /**
     * Offsets, not IpAddress objects: millions of objects would measure cache misses of the
     * harness.
     */
    long[] used;

    SplittableRandom random = new SplittableRandom(42);

    @Setup(Level.Trial)
    public void fill() {
      IpPrefix p = IpPrefix.parse(block);
      alloc = new BlockAllocator(p, p, Optional.empty(), 0);
      base = p.network();
      int n = (int) Math.min(p.hostBits() > 40 ? 1_000_000 : p.sizeAsLong() / 2, 8_388_608);
      used = new long[n];
      for (int i = 0; i < n; i++) {
        used[i] = alloc.allocate(false, 0).orElseThrow().offsetFrom(base);
      }
    }
  }

  @Benchmark
  public IpAddress releaseThenAllocate(HalfFull s) {
    int i = s.random.nextInt(s.used.length);
    s.alloc.release(s.base.plus(s.used[i]), 0);
    IpAddress a = s.alloc.allocate(false, 0).orElseThrow();
    s.used[i] = a.offsetFrom(s.base);
    return a;
  }

  /** A fresh /16 block filled completely, per invocation. */
  @State(Scope.Thread)
  public static class Empty16 {
    IpPrefix p = IpPrefix.parse("10.0.0.0/16");
  }

  @Benchmark
  @OperationsPerInvocation(65534)
  public BlockAllocator fillSlash16(Empty16 s) {
    BlockAllocator a = new BlockAllocator(s.p, s.p, Optional.empty(), 0);
    for (int i = 0; i < 65534; i++) {
      a.allocate(false, 0);
    }
    return a;
  }
}
