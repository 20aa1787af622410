package org.clusteripam.core.ipam;

import org.clusteripam.core.net.IpAddress;

/**
 * One call of the driver's {@link Ipam}, as a value an {@link IpamInterceptor} can look at, change
 * and pass on. Each call's answer has the type {@link #answerType()}: {@link AddressSpaces}, {@link
 * PoolGrant}, {@link AddressGrant}, or {@link Void} (null) for the releases.
 */
public sealed interface IpamCall
    permits IpamCall.AddressSpacesCall,
        IpamCall.RequestPool,
        IpamCall.ReleasePool,
        IpamCall.RequestAddress,
        IpamCall.ReleaseAddress {

  /** The call's name in Docker's protocol ({@code RequestPool}, ...), for metrics and logs. */
  String method();

  /** The type of the answer {@link IpamInterceptor.Chain#proceed} returns for this call. */
  Class<?> answerType();

  /** {@code GetDefaultAddressSpaces}. */
  record AddressSpacesCall() implements IpamCall {
    @Override
    public String method() {
      return "GetDefaultAddressSpaces";
    }

    @Override
    public Class<?> answerType() {
      return AddressSpaces.class;
    }
  }

  record RequestPool(PoolRequest request) implements IpamCall {
    @Override
    public String method() {
      return "RequestPool";
    }

    @Override
    public Class<?> answerType() {
      return PoolGrant.class;
    }
  }

  record ReleasePool(HostId host, PoolId pool) implements IpamCall {
    @Override
    public String method() {
      return "ReleasePool";
    }

    @Override
    public Class<?> answerType() {
      return Void.class;
    }
  }

  record RequestAddress(AddressRequest request) implements IpamCall {
    @Override
    public String method() {
      return "RequestAddress";
    }

    @Override
    public Class<?> answerType() {
      return AddressGrant.class;
    }
  }

  record ReleaseAddress(HostId host, PoolId pool, IpAddress address) implements IpamCall {
    @Override
    public String method() {
      return "ReleaseAddress";
    }

    @Override
    public Class<?> answerType() {
      return Void.class;
    }
  }
}
