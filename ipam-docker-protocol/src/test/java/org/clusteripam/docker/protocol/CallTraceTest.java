package org.clusteripam.docker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
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
import org.clusteripam.core.store.InMemoryStateStore;
import org.clusteripam.core.store.StoreUnavailableException;
import org.junit.jupiter.api.Test;

/**
 * The call trace: one line per call Docker sends, with the method, node, raw request, reply or
 * error, and duration.
 */
class CallTraceTest {
  static final HostId H1 = new HostId("h1");

  final List<String> lines = new ArrayList<>();

  /** Every call takes 1.25 ms on this clock. */
  final AtomicLong nanos = new AtomicLong();

  final Ipam engine =
      IpamEngine.open(new InMemoryStateStore(), IpamConfig.defaults(), Clock.systemUTC()).driver();

  DriverProtocol traced(Ipam ipam, HostId node) {
    return new DriverProtocol(
        ipam, node, Optional.of(lines::add), () -> nanos.getAndAdd(1_250_000));
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void everyCallIsOneLineWithTheRawRequestAndTheReply() {
    DriverProtocol p = traced(engine, H1);
    p.handle("/Plugin.Activate", new byte[0]);
    p.handle("/IpamDriver.GetCapabilities", b("{}\n"));
    p.handle("/IpamDriver.GetDefaultAddressSpaces", b("{}\n"));
    String pool =
        "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.5.0.0/24\",\"SubPool\":\"\",\"Options\":{\"network\":\"web\"},\"V6\":false}";
    p.handle("/IpamDriver.RequestPool", b(pool + "\n"));
    String gw =
        "{\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\",\"Address\":\"\",\"Options\":{\"RequestAddressType\":\"com.docker.network.gateway\"}}";
    p.handle("/IpamDriver.RequestAddress", b(gw + "\n"));
    p.handle(
        "/IpamDriver.ReleaseAddress",
        b("{\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\",\"Address\":\"10.5.0.1\"}\n"));
    p.handle("/IpamDriver.ReleasePool", b("{\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\"}\n"));

    assertThat(lines)
        .containsExactly(
            "event=call method=Plugin.Activate node=h1 request={} response={\"Implements\":[\"IpamDriver\"]} ms=1.25",
            "event=call method=GetCapabilities node=h1 request={} response={\"RequiresMACAddress\":false,\"RequiresRequestReplay\":true} ms=1.25",
            "event=call method=GetDefaultAddressSpaces node=h1 request={} response={\"GlobalDefaultAddressSpace\":\"ClusterIpamGlobal\","
                + "\"LocalDefaultAddressSpace\":\"ClusterIpamLocal\"} ms=1.25",
            "event=call method=RequestPool node=h1 request="
                + pool
                + " response={\"Data\":{},\"Pool\":\"10.5.0.0/24\",\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\"} ms=1.25",
            "event=call method=RequestAddress node=h1 request="
                + gw
                + " response={\"Address\":\"10.5.0.1/24\",\"Data\":{}} ms=1.25",
            "event=call method=ReleaseAddress node=h1 request={\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\",\"Address\":\"10.5.0.1\"} response={} ms=1.25",
            "event=call method=ReleasePool node=h1 request={\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\"} response={} ms=1.25");
  }

  @Test
  void refusalsOfTheEngineAndOfTheProtocolAreTracedWithTheirType() {
    DriverProtocol p = traced(engine, H1);
    p.handle(
        "/IpamDriver.RequestPool",
        b(
            "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.6.0.0/30\",\"SubPool\":\"\",\"Options\":{},\"V6\":false}"));
    String any =
        "{\"PoolID\":\"ClusterIpamLocal/10.6.0.0/30\",\"Address\":\"\",\"Options\":{\"com.docker.network.ipam.serial\":\"true\"}}";
    p.handle("/IpamDriver.RequestAddress", b(any));
    p.handle("/IpamDriver.RequestAddress", b(any));
    lines.clear();
    DriverReply refused = p.handle("/IpamDriver.RequestAddress", b(any));
    assertThat(refused.error()).isTrue();
    String message = org.clusteripam.docker.testing.Json.object(refused.json()).getString("Error");
    assertThat(lines)
        .containsExactly(
            "event=call method=RequestAddress node=h1 request="
                + any
                + " error=\""
                + message.replace("\"", "\\\"")
                + "\" error_type=ExhaustedException ms=1.25");

    lines.clear();
    p.handle(
        "/IpamDriver.RequestAddress",
        b("{\"PoolID\":\"ClusterIpamLocal/10.7.0.0/24\",\"Address\":\"10.7.0.9\",\"Options\":{}}"));
    p.handle("/IpamDriver.RequestAddress", b("{\"Address\":\"\"}"));
    p.handle("/IpamDriver.RequestPool", b("{not json"));
    p.handle("/Nope", b(""));
    assertThat(lines)
        .satisfiesExactly(
            l ->
                assertThat(l)
                    .startsWith(
                        "event=call method=RequestAddress node=h1 request={\"PoolID\":\"ClusterIpamLocal/10.7.0.0/24\",")
                    .contains(" error=\"")
                    .endsWith("\" error_type=UnknownPoolException ms=1.25"),
            l ->
                assertThat(l)
                    .isEqualTo(
                        "event=call method=RequestAddress node=h1 request={\"Address\":\"\"} error=\"RequestAddress request needs a PoolID\""
                            + " error_type=ProtocolException ms=1.25"),
            l ->
                assertThat(l)
                    .startsWith("event=call method=RequestPool node=h1 request={not json error=\"")
                    .endsWith(" error_type=ProtocolException ms=1.25"),
            l ->
                assertThat(l)
                    .startsWith(
                        "event=call method=Nope node=h1 request={} error=\"unknown endpoint")
                    .endsWith(" error_type=ProtocolException ms=1.25"));
  }

  @Test
  void aStoreFailureIsTracedWithTheMessageDockerGets() {
    StoreUnavailableException down =
        new StoreUnavailableException(
            "etcd http://10.0.0.1:2379 unavailable: \"deadline\"\nexceeded", null);
    Ipam failing =
        new Ipam() {
          @Override
          public AddressSpaces addressSpaces() {
            return AddressSpaces.DEFAULT;
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
    DriverReply r =
        traced(failing, new HostId("h2"))
            .handle("/IpamDriver.ReleasePool", b("{\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\"}"));
    String message = org.clusteripam.docker.testing.Json.object(r.json()).getString("Error");
    assertThat(message).contains("etcd http://10.0.0.1:2379 unavailable");
    assertThat(lines)
        .containsExactly(
            "event=call method=ReleasePool node=h2 request={\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\"} error="
                + CallTrace.quoted(message)
                + " error_type=StoreUnavailableException ms=1.25");
  }

  @Test
  void hugeRequestsAndErrorsAreCutToKeepALineUnder2Kb() {
    String big = "x".repeat(200_000);
    Ipam refusing =
        new Ipam() {
          @Override
          public AddressSpaces addressSpaces() {
            return AddressSpaces.DEFAULT;
          }

          @Override
          public PoolGrant requestPool(PoolRequest request) {
            throw new IllegalArgumentException("bad \"option\"\n" + big);
          }

          @Override
          public void releasePool(HostId host, PoolId pool) {}

          @Override
          public AddressGrant requestAddress(AddressRequest request) {
            return new AddressGrant(
                IpAddress.parse("10.5.0.2"),
                IpPrefix.parse("10.5.0.0/24"),
                java.util.Map.of("k", big));
          }

          @Override
          public void releaseAddress(HostId host, PoolId pool, IpAddress address) {}
        };
    DriverProtocol p = traced(refusing, new HostId("n".repeat(253)));
    p.handle(
        "/IpamDriver.RequestPool",
        b(
            "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"\",\"SubPool\":\"\",\"Options\":{\"opt\":\""
                + big
                + "\"},\"V6\":false}"));
    p.handle(
        "/IpamDriver.RequestAddress",
        b(
            "{\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\",\"Address\":\"\",\"Options\":{\"opt\":\"\u0001\u0001\"}}"));
    p.handle(
        "/IpamDriver.RequestAddress",
        b("{\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\",\"Address\":\"\",\"Options\":{}}"));
    assertThat(lines)
        .hasSize(3)
        .allSatisfy(
            line -> {
              assertThat(line.length()).isLessThanOrEqualTo(2048);
              assertThat(line)
                  .doesNotContain("\n", "\u0001")
                  .startsWith("event=call method=Request")
                  .endsWith(" ms=1.25");
            });
    assertThat(lines.get(0))
        .contains(
            "request={\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"\",\"SubPool\":\"\",\"Options\":{\"opt\":\"xxx")
        .contains(" more chars) error=\"")
        .endsWith("\" error_type=IllegalArgumentException ms=1.25");
    assertThat(lines.get(1))
        .as("raw control characters, refused as JSON, escaped in the line")
        .contains("\"Options\":{\"opt\":\"\\u0001\\u0001\"}} error=\"malformed JSON")
        .endsWith(" error_type=ProtocolException ms=1.25");
    assertThat(lines.get(2))
        .contains(" response={\"Address\":\"10.5.0.2/24\",\"Data\":{\"k\":\"xxx")
        .endsWith(" more chars) ms=1.25");
  }

  @Test
  void escapingAndCuttingKeepShortTextAndMarkWhatWasLeftOut() {
    assertThat(CallTrace.escaped("short", 800)).isEqualTo("short");
    assertThat(CallTrace.escaped("y".repeat(1000), 800))
        .hasSizeLessThanOrEqualTo(800)
        .isEqualTo("y".repeat(768) + "...(232 more chars)");
    assertThat(CallTrace.quoted(null)).isEqualTo("\"\"");
    assertThat(CallTrace.quoted("tab\there")).isEqualTo("\"tab\\there\"");
    String q = CallTrace.quoted("bad \"option\"\n" + "x".repeat(200_000));
    assertThat(q)
        .startsWith("\"bad \\\"option\\\"\\nxxx")
        .endsWith("x".repeat(750) + "...(199250 more chars)\"")
        .hasSizeLessThanOrEqualTo(800);
    assertThat(CallTrace.request("{}\n".getBytes(StandardCharsets.UTF_8))).isEqualTo("{}");
    assertThat(CallTrace.request(new byte[0])).isEqualTo("{}");
  }
}
