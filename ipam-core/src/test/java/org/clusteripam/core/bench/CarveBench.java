package org.clusteripam.core.bench;

import java.util.concurrent.TimeUnit;
import org.clusteripam.core.alloc.SupernetCarver;
import org.clusteripam.core.net.IpPrefix;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/** Carving 10,000 /24 pools from a /8, and carving then releasing them all (buddy coalescing). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class CarveBench {
  static final IpPrefix SLASH8 = IpPrefix.parse("10.0.0.0/8");

  @Benchmark
  public SupernetCarver carve10000PoolsFromSlash8() {
    SupernetCarver c = new SupernetCarver(SLASH8);
    for (int i = 0; i < 10_000; i++) {
      c.allocate(24).orElseThrow();
    }
    return c;
  }

  @Benchmark
  public SupernetCarver carveAndRelease10000Pools() {
    SupernetCarver c = new SupernetCarver(SLASH8);
    IpPrefix[] got = new IpPrefix[10_000];
    for (int i = 0; i < got.length; i++) {
      got[i] = c.allocate(24).orElseThrow();
    }
    for (IpPrefix p : got) {
      c.release(p);
    }
    return c;
  }
}
