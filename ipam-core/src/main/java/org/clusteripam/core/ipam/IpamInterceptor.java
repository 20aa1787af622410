package org.clusteripam.core.ipam;

/**
 * Observes, changes, retries or answers the driver's calls on their way to the engine, in the shape
 * of OkHttp's interceptors: it gets the {@link Chain}, looks at {@link Chain#call()}, and usually
 * returns {@link Chain#proceed} of it (or of a changed call, or proceeds twice). An exception it
 * throws, or lets through, is the call's failure. The order of a chain is declared in one place:
 * {@link IpamChain#of}.
 */
@FunctionalInterface
public interface IpamInterceptor {

  /** The call's answer, of the call's {@link IpamCall#answerType()} (null for the releases). */
  Object intercept(Chain chain);

  /** The call under way and the rest of the chain. */
  interface Chain {
    IpamCall call();

    /** Passes {@code call} to the next interceptor (the engine after the last); its answer. */
    Object proceed(IpamCall call);
  }
}
