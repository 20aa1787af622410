package org.clusteripam.core.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.InMemoryStateStore;
import org.junit.jupiter.api.Test;

/**
 * The interceptor chain: declared order, one call value per call, changed calls and failures passed
 * on.
 */
class IpamChainTest {
  static final HostId H1 = new HostId("h1");
  final DriverIpam engine =
      IpamEngine.open(new InMemoryStateStore(), IpamConfig.defaults(), Clock.systemUTC()).driver();
  final List<String> seen = new ArrayList<>();

  IpamInterceptor named(String name) {
    return chain -> {
      seen.add(name + ">" + chain.call().method());
      try {
        return chain.proceed(chain.call());
      } finally {
        seen.add(name + "<" + chain.call().method());
      }
    };
  }

  @Test
  void theFirstInterceptorIsOutermostAndEveryCallIsOneValue() {
    Ipam ipam = IpamChain.of(engine, List.of(named("a"), named("b")));
    PoolGrant g =
        ipam.requestPool(
            new PoolRequest(
                H1,
                "ClusterIpamLocal",
                Optional.of(IpPrefix.parse("10.5.0.0/24")),
                Optional.empty(),
                Map.of(),
                false));
    AddressGrant a =
        ipam.requestAddress(
            new AddressRequest(H1, g.id(), Optional.empty(), AddressKind.ENDPOINT, Map.of()));
    ipam.releaseAddress(H1, g.id(), a.address());
    ipam.releasePool(H1, g.id());
    assertThat(ipam.addressSpaces()).isEqualTo(AddressSpaces.DEFAULT);
    assertThat(seen)
        .containsExactly(
            "a>RequestPool",
            "b>RequestPool",
            "b<RequestPool",
            "a<RequestPool",
            "a>RequestAddress",
            "b>RequestAddress",
            "b<RequestAddress",
            "a<RequestAddress",
            "a>ReleaseAddress",
            "b>ReleaseAddress",
            "b<ReleaseAddress",
            "a<ReleaseAddress",
            "a>ReleasePool",
            "b>ReleasePool",
            "b<ReleasePool",
            "a<ReleasePool",
            "a>GetDefaultAddressSpaces",
            "b>GetDefaultAddressSpaces",
            "b<GetDefaultAddressSpaces",
            "a<GetDefaultAddressSpaces");
    assertThat(g.pool().contains(a.address())).isTrue();
  }

  @Test
  void anInterceptorMayChangeTheCallOrAnswerItself() {
    IpamInterceptor pinTo99 =
        chain ->
            chain.call() instanceof IpamCall.RequestAddress r
                ? chain.proceed(
                    new IpamCall.RequestAddress(
                        new AddressRequest(
                            r.request().host(),
                            r.request().pool(),
                            Optional.of(IpAddress.parse("10.5.0.99")),
                            r.request().kind(),
                            r.request().options())))
                : chain.proceed(chain.call());
    IpamInterceptor spaces =
        chain ->
            chain.call() instanceof IpamCall.AddressSpacesCall
                ? new AddressSpaces("L", "G")
                : chain.proceed(chain.call());
    Ipam ipam = IpamChain.of(engine, List.of(spaces, pinTo99));
    PoolGrant g =
        ipam.requestPool(
            new PoolRequest(
                H1,
                "ClusterIpamLocal",
                Optional.of(IpPrefix.parse("10.5.0.0/24")),
                Optional.empty(),
                Map.of(),
                false));
    assertThat(
            ipam.requestAddress(
                    new AddressRequest(
                        H1, g.id(), Optional.empty(), AddressKind.ENDPOINT, Map.of()))
                .address())
        .isEqualTo(IpAddress.parse("10.5.0.99"));
    assertThat(ipam.addressSpaces()).isEqualTo(new AddressSpaces("L", "G"));
  }

  @Test
  void theEnginesFailurePassesThroughEveryInterceptorUnchanged() {
    Ipam ipam = IpamChain.of(engine, List.of(named("a")));
    PoolId unknown = new PoolId("ClusterIpamLocal/10.9.0.0/24");
    assertThatThrownBy(
            () ->
                ipam.requestAddress(
                    new AddressRequest(
                        H1, unknown, Optional.empty(), AddressKind.ENDPOINT, Map.of())))
        .isInstanceOf(UnknownPoolException.class);
    assertThat(seen).containsExactly("a>RequestAddress", "a<RequestAddress");
    IpamInterceptor wrong = chain -> "not a grant";
    assertThatThrownBy(
            () ->
                IpamChain.of(engine, List.of(wrong))
                    .requestPool(
                        new PoolRequest(
                            H1,
                            "ClusterIpamLocal",
                            Optional.empty(),
                            Optional.empty(),
                            Map.of(),
                            false)))
        .isInstanceOf(ClassCastException.class);
  }
}
