package org.clusteripam.daemon.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.ipam.AddressGrant;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.docker.protocol.DockerLabels;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.AddressSpaces;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.Ipam;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.ipam.UnknownPoolException;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.store.StoreUnavailableException;
import org.junit.jupiter.api.Test;

/** The call trace: one line per call with the method, node, request, response or error, and duration. */
class TracingIpamTest {
  static final HostId H1 = new HostId("h1");

  final List<String> lines = new ArrayList<>();
  /** Every call takes 1.25 ms on this clock. */
  final AtomicLong nanos = new AtomicLong();
  final DriverIpam engine = IpamEngine.open(new InMemoryStateStore(), IpamConfig.defaults(), Clock.systemUTC()).driver();

  TracingIpam traced(Ipam delegate) {
    return new TracingIpam(delegate, H1, lines::add, () -> nanos.getAndAdd(1_250_000));
  }

  @Test
  void successfulCallsGiveOneLineWithRequestAndResponse() {
    TracingIpam t = traced(engine);
    AddressSpaces spaces = t.addressSpaces();
    PoolGrant pool = t.requestPool(new PoolRequest(H1, spaces.local(), Optional.of(IpPrefix.parse("10.5.0.0/24")), Optional.empty(),
        Map.of("network", "web"), false));
    AddressGrant gw = t.requestAddress(new AddressRequest(H1, pool.id(), Optional.empty(), AddressKind.GATEWAY, Map.of()));
    t.releaseAddress(H1, pool.id(), gw.address());
    t.releasePool(H1, pool.id());

    String l = spaces.local();
    assertThat(lines).containsExactly(
        "event=call method=GetDefaultAddressSpaces node=h1 request={} response={\"LocalDefaultAddressSpace\":\"" + l
            + "\",\"GlobalDefaultAddressSpace\":\"" + spaces.global() + "\"} ms=1.25",
        "event=call method=RequestPool node=h1 request={\"AddressSpace\":\"" + l + "\",\"Pool\":\"10.5.0.0/24\",\"SubPool\":\"\","
            + "\"Options\":{\"network\":\"web\"},\"V6\":false} response={\"PoolID\":\"" + pool.id() + "\",\"Pool\":\"10.5.0.0/24\",\"Data\":{}} ms=1.25",
        "event=call method=RequestAddress node=h1 request={\"PoolID\":\"" + pool.id() + "\",\"Address\":\"\",\"Kind\":\"gateway\",\"Options\":{}}"
            + " response={\"Address\":\"" + gw.cidr() + "\",\"Data\":{}} ms=1.25",
        "event=call method=ReleaseAddress node=h1 request={\"PoolID\":\"" + pool.id() + "\",\"Address\":\"" + gw.address() + "\"} response={} ms=1.25",
        "event=call method=ReleasePool node=h1 request={\"PoolID\":\"" + pool.id() + "\"} response={} ms=1.25");
    assertThat(gw.cidr()).isEqualTo("10.5.0.1/24");
  }

  @Test
  void anIpamRefusalIsTracedAndPassedOnUnchanged() {
    TracingIpam t = traced(engine);
    PoolId pool = t.requestPool(new PoolRequest(H1, engine.addressSpaces().local(), Optional.of(IpPrefix.parse("10.6.0.0/30")), Optional.empty(),
        Map.of(), false)).id();
    t.requestAddress(new AddressRequest(H1, pool, Optional.empty(), AddressKind.ENDPOINT, Map.of()));
    t.requestAddress(new AddressRequest(H1, pool, Optional.empty(), AddressKind.ENDPOINT, Map.of()));
    lines.clear();
    AddressRequest third = new AddressRequest(H1, pool, Optional.empty(), AddressKind.ENDPOINT, true,
        Map.of(DockerLabels.SERIAL, "true"));
    ExhaustedException refused = org.assertj.core.api.Assertions.catchThrowableOfType(() -> t.requestAddress(third), ExhaustedException.class);
    assertThat(refused).as("the engine's own refusal reaches the caller").isNotNull();
    assertThat(lines).containsExactly("event=call method=RequestAddress node=h1 request={\"PoolID\":\"" + pool + "\",\"Address\":\"\","
        + "\"Kind\":\"endpoint\",\"Options\":{\"" + DockerLabels.SERIAL + "\":\"true\"}} error=\"" + refused.getMessage().replace("\"", "\\\"")
        + "\" error_type=ExhaustedException ms=1.25");

    lines.clear();
    PoolId unknown = new PoolId(engine.addressSpaces().local() + "/10.7.0.0/24");
    assertThatThrownBy(() -> t.requestAddress(new AddressRequest(H1, unknown, Optional.of(IpAddress.parse("10.7.0.9")), AddressKind.ENDPOINT,
        Map.of()))).isInstanceOf(UnknownPoolException.class);
    assertThat(lines).singleElement().asString()
        .startsWith("event=call method=RequestAddress node=h1 request={\"PoolID\":\"" + unknown + "\",\"Address\":\"10.7.0.9\",")
        .contains(" error=\"").endsWith("\" error_type=UnknownPoolException ms=1.25");
  }

  @Test
  void aStoreFailureIsTracedAndPassedOnUnchanged() {
    StoreUnavailableException down = new StoreUnavailableException("etcd http://10.0.0.1:2379 unavailable: \"deadline\"\nexceeded", null);
    Ipam failing = new Ipam() {
      @Override
      public AddressSpaces addressSpaces() {
        return engine.addressSpaces();
      }

      @Override
      public PoolGrant requestPool(PoolRequest request) {
        throw down;
      }

      @Override
      public void releasePool(HostId host, PoolId pool) {
        throw down;
      }

      @Override
      public AddressGrant requestAddress(AddressRequest request) {
        throw down;
      }

      @Override
      public void releaseAddress(HostId host, PoolId pool, IpAddress address) {
        throw down;
      }
    };
    TracingIpam t = traced(failing);
    PoolId pool = new PoolId("ClusterIpamLocal/10.5.0.0/24");
    assertThatThrownBy(() -> t.releaseAddress(H1, pool, IpAddress.parse("10.5.0.2"))).isSameAs(down);
    assertThatThrownBy(() -> t.releasePool(new HostId("h2"), pool)).isSameAs(down);
    assertThat(lines).containsExactly(
        "event=call method=ReleaseAddress node=h1 request={\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\",\"Address\":\"10.5.0.2\"}"
            + " error=\"etcd http://10.0.0.1:2379 unavailable: \\\"deadline\\\"\\nexceeded\" error_type=StoreUnavailableException ms=1.25",
        "event=call method=ReleasePool node=h2 request={\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\"}"
            + " error=\"etcd http://10.0.0.1:2379 unavailable: \\\"deadline\\\"\\nexceeded\" error_type=StoreUnavailableException ms=1.25");
  }

  @Test
  void hugeRequestsAndErrorsAreCutToKeepALineUnder2Kb() {
    String big = "x".repeat(200_000);
    String hugeNode = "n".repeat(253);
    Ipam refusing = new Ipam() {
      @Override
      public AddressSpaces addressSpaces() {
        return engine.addressSpaces();
      }

      @Override
      public PoolGrant requestPool(PoolRequest request) {
        throw new IllegalArgumentException("bad \"option\"\n" + big);
      }

      @Override
      public void releasePool(HostId host, PoolId pool) {}

      @Override
      public AddressGrant requestAddress(AddressRequest request) {
        return new AddressGrant(IpAddress.parse("10.5.0.2"), IpPrefix.parse("10.5.0.0/24"), Map.of("k", big));
      }

      @Override
      public void releaseAddress(HostId host, PoolId pool, IpAddress address) {}
    };
    TracingIpam t = traced(refusing);
    HostId node = new HostId(hugeNode);
    assertThatThrownBy(() -> t.requestPool(new PoolRequest(node, "ClusterIpamLocal", Optional.empty(), Optional.empty(), Map.of("opt", big), false)))
        .isInstanceOf(IllegalArgumentException.class);
    t.requestAddress(new AddressRequest(node, new PoolId("ClusterIpamLocal/10.5.0.0/24"), Optional.empty(), AddressKind.ENDPOINT,
        Map.of("opt", "\u0001".repeat(5000))));
    assertThat(lines).hasSize(2).allSatisfy(line -> {
      assertThat(line.length()).isLessThanOrEqualTo(2048);
      assertThat(line).doesNotContain("\n").contains(" more chars)").startsWith("event=call method=Request").endsWith(" ms=1.25");
    });
    assertThat(lines.get(0)).contains("request={\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"\",\"SubPool\":\"\",\"Options\":{\"opt\":\"xxx")
        .contains(" error=\"bad \\\"option\\\"\\nxxx").contains("x".repeat(750) + "...(199250 more chars)\"") // 800 - 2 quotes - 32 for the marker - 16 for the escaped start
        .endsWith("\" error_type=IllegalArgumentException ms=1.25");
    assertThat(lines.get(1)).contains("request={\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\",\"Address\":\"\",\"Kind\":\"endpoint\",\"Options\":{\"opt\":\"\\u0001")
        .contains(" response={\"Address\":\"10.5.0.2/24\",\"Data\":{\"k\":\"xxx");
  }

  @Test
  void cutKeepsShortTextAndMarksWhatItLeftOut() {
    assertThat(CallText.cut("short", 800)).isEqualTo("short");
    String cut = CallText.cut("y".repeat(1000), 800);
    assertThat(cut).hasSizeLessThanOrEqualTo(800).isEqualTo("y".repeat(768) + "...(232 more chars)");
    assertThat(CallText.quoted(null)).isEqualTo("\"\"");
    assertThat(CallText.quoted("tab\there")).isEqualTo("\"tab\\there\"");
  }
}
