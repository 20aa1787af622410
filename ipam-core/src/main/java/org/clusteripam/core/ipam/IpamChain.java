package org.clusteripam.core.ipam;

import java.util.List;
import java.util.Objects;
import org.clusteripam.core.net.IpAddress;

/**
 * An {@link Ipam} that sends every call through interceptors, the first of the list outermost, then
 * to the engine. Each call is one {@link IpamCall} value; an interceptor's answer of the wrong type
 * is a bug and fails the call with {@link ClassCastException}.
 */
public final class IpamChain implements Ipam {
  private final Ipam engine;
  private final List<IpamInterceptor> interceptors;

  private IpamChain(Ipam engine, List<IpamInterceptor> interceptors) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.interceptors = List.copyOf(interceptors);
  }

  /** {@code engine} behind {@code interceptors}, the first one outermost. */
  public static Ipam of(Ipam engine, List<IpamInterceptor> interceptors) {
    return new IpamChain(engine, interceptors);
  }

  /** Runs one call through the chain; its answer. */
  public Object call(IpamCall call) {
    return new Step(0, call).proceed(call);
  }

  private final class Step implements IpamInterceptor.Chain {
    private final int index;
    private final IpamCall call;

    Step(int index, IpamCall call) {
      this.index = index;
      this.call = call;
    }

    @Override
    public IpamCall call() {
      return call;
    }

    @Override
    public Object proceed(IpamCall next) {
      Objects.requireNonNull(next, "call");
      if (index < interceptors.size()) {
        return interceptors.get(index).intercept(new Step(index + 1, next));
      }
      return dispatch(next);
    }
  }

  private Object dispatch(IpamCall call) {
    if (call instanceof IpamCall.RequestAddress c) {
      return engine.requestAddress(c.request());
    }
    if (call instanceof IpamCall.ReleaseAddress c) {
      engine.releaseAddress(c.host(), c.pool(), c.address());
      return null;
    }
    if (call instanceof IpamCall.RequestPool c) {
      return engine.requestPool(c.request());
    }
    if (call instanceof IpamCall.ReleasePool c) {
      engine.releasePool(c.host(), c.pool());
      return null;
    }
    return engine.addressSpaces(); // the sealed type's last case
  }

  @Override
  public AddressSpaces addressSpaces() {
    return (AddressSpaces) call(new IpamCall.AddressSpacesCall());
  }

  @Override
  public PoolGrant requestPool(PoolRequest request) {
    return (PoolGrant) call(new IpamCall.RequestPool(request));
  }

  @Override
  public void releasePool(HostId host, PoolId pool) {
    call(new IpamCall.ReleasePool(host, pool));
  }

  @Override
  public AddressGrant requestAddress(AddressRequest request) {
    return (AddressGrant) call(new IpamCall.RequestAddress(request));
  }

  @Override
  public void releaseAddress(HostId host, PoolId pool, IpAddress address) {
    call(new IpamCall.ReleaseAddress(host, pool, address));
  }
}
