package org.clusteripam.docker.testing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.clusteripam.core.ipam.AddressGrant;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.AddressSpaces;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.Ipam;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;

/**
 * A test seam for the transport: records every call the adapter makes and answers naively (explicit
 * pool returned, dynamic pools 10.99.N.0/24, preferred address or the next one). It makes no
 * allocation decisions worth testing; the real engine is exercised by the trace replay.
 */
public final class RecordingIpam implements Ipam {
  public record ReleasePool(HostId host, PoolId pool) {}

  public record ReleaseAddress(HostId host, PoolId pool, IpAddress address) {}

  public final List<Object> calls = new CopyOnWriteArrayList<>();
  private final Map<PoolId, IpPrefix> pools = new ConcurrentHashMap<>();
  private final Map<PoolId, AtomicInteger> next = new ConcurrentHashMap<>();
  private final AtomicInteger dynamic = new AtomicInteger();
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private volatile CountDownLatch gate;

  /** Every following call throws {@code e} (null: stop failing). */
  public void failWith(RuntimeException e) {
    failure.set(e);
  }

  /** Every following call waits until {@link #open()} (to hold calls in flight). */
  public void hold() {
    gate = new CountDownLatch(1);
  }

  public void open() {
    CountDownLatch g = gate;
    gate = null;
    if (g != null) {
      g.countDown();
    }
  }

  private void enter(Object call) {
    calls.add(call);
    CountDownLatch g = gate;
    if (g != null) {
      try {
        g.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    RuntimeException e = failure.get();
    if (e != null) {
      throw e;
    }
  }

  @Override
  public AddressSpaces addressSpaces() {
    enter("addressSpaces");
    return AddressSpaces.DEFAULT;
  }

  @Override
  public PoolGrant requestPool(PoolRequest request) {
    enter(request);
    IpPrefix pool =
        request
            .pool()
            .orElseGet(() -> IpPrefix.parse("10.99." + dynamic.incrementAndGet() + ".0/24"));
    PoolId id =
        new PoolId(
            request.addressSpace() + "/" + pool + request.subPool().map(s -> "/" + s).orElse(""));
    pools.put(id, pool);
    return new PoolGrant(id, pool, java.util.Optional.empty());
  }

  @Override
  public void releasePool(HostId host, PoolId pool) {
    enter(new ReleasePool(host, pool));
  }

  @Override
  public AddressGrant requestAddress(AddressRequest request) {
    enter(request);
    IpPrefix pool = pools.get(request.pool());
    if (pool == null) {
      throw new org.clusteripam.core.ipam.UnknownPoolException(request.pool());
    }
    IpAddress a =
        request
            .preferred()
            .orElseGet(
                () ->
                    pool.addressAt(
                        next.computeIfAbsent(request.pool(), p -> new AtomicInteger())
                            .incrementAndGet()));
    return new AddressGrant(a, pool, Map.of());
  }

  @Override
  public void releaseAddress(HostId host, PoolId pool, IpAddress address) {
    enter(new ReleaseAddress(host, pool, address));
  }
}
