package org.clusteripam.docker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.ipam.AddressKind;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.ExhaustedException;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.StoreConflictException;
import org.clusteripam.core.store.StoreCorruptException;
import org.clusteripam.core.store.StoreUnavailableException;
import org.clusteripam.docker.testing.Json;
import org.clusteripam.docker.testing.RecordingIpam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The translation between Docker's JSON and {@code Ipam} calls, without HTTP. */
class DriverProtocolTest {
  private static final HostId NODE = new HostId("node-1");
  private final RecordingIpam ipam = new RecordingIpam();
  private final DriverProtocol protocol = new DriverProtocol(ipam, NODE);

  private JsonObject call(String path, String body) {
    DriverReply reply = protocol.handle(path, body.getBytes(StandardCharsets.UTF_8));
    JsonObject o = Json.object(reply.json());
    assertThat(o.containsKey("Error")).as(reply.json()).isEqualTo(reply.error());
    return o;
  }

  private String error(String path, String body) {
    JsonObject o = call(path, body);
    assertThat(o.keySet()).as(o.toString()).containsExactly("Error");
    String m = o.getString("Error");
    assertThat(m).isNotBlank().doesNotContain("\tat ", "\n").isNotEqualTo("null");
    return m;
  }

  @Test
  void fixedAnswers() {
    assertThat(call("/Plugin.Activate", ""))
        .isEqualTo(Json.object("{\"Implements\":[\"IpamDriver\"]}"));
    assertThat(call("/IpamDriver.GetCapabilities", ""))
        .isEqualTo(Json.object("{\"RequiresMACAddress\":false,\"RequiresRequestReplay\":true}"));
    assertThat(call("/IpamDriver.GetDefaultAddressSpaces", ""))
        .isEqualTo(
            Json.object(
                "{\"LocalDefaultAddressSpace\":\"ClusterIpamLocal\",\"GlobalDefaultAddressSpace\":\"ClusterIpamGlobal\"}"));
  }

  @Test
  void requestPoolTranslatesEveryField() {
    JsonObject o =
        call(
            "/IpamDriver.RequestPool",
            "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.6.0.0/16\",\"SubPool\":\"10.6.5.0/24\","
                + "\"Options\":{\"foo\":\"bar\",\"RequestAddressType\":\"com.docker.network.gateway\"},\"V6\":false}\n");
    assertThat(o.getString("Pool")).isEqualTo("10.6.0.0/16");
    assertThat(o.getString("PoolID")).isEqualTo("ClusterIpamLocal/10.6.0.0/16/10.6.5.0/24");
    assertThat(o.getJsonObject("Data")).isEmpty();
    assertThat(ipam.calls)
        .containsExactly(
            new PoolRequest(
                NODE,
                "ClusterIpamLocal",
                Optional.of(IpPrefix.parse("10.6.0.0/16")),
                Optional.of(IpPrefix.parse("10.6.5.0/24")),
                Map.of("foo", "bar"),
                false));
  }

  @Test
  void aPoolsGatewayReachesDockerAsPoolDataAndSerialAsATypedField() {
    org.clusteripam.core.ipam.DriverIpam engine =
        org.clusteripam.core.engine.IpamEngine.open(
                new org.clusteripam.core.store.InMemoryStateStore(),
                org.clusteripam.core.engine.IpamConfig.builder().build(),
                java.time.Clock.systemUTC())
            .driver();
    DriverProtocol h1 = new DriverProtocol(engine, new HostId("h1"));
    DriverProtocol h2 = new DriverProtocol(engine, new HostId("h2"));
    String pool =
        "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.5.0.0/24\",\"SubPool\":\"\",\"Options\":{},\"V6\":false}";
    assertThat(
            Json.object(
                    h1.handle("/IpamDriver.RequestPool", pool.getBytes(StandardCharsets.UTF_8))
                        .json())
                .getJsonObject("Data"))
        .isEmpty();
    String gw =
        "{\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\",\"Address\":\"\",\"Options\":{\"RequestAddressType\":\"com.docker.network.gateway\"}}";
    assertThat(
            Json.object(
                    h1.handle("/IpamDriver.RequestAddress", gw.getBytes(StandardCharsets.UTF_8))
                        .json())
                .getString("Address"))
        .isEqualTo("10.5.0.1/24");
    assertThat(
            Json.object(
                h2.handle("/IpamDriver.RequestPool", pool.getBytes(StandardCharsets.UTF_8)).json()))
        .isEqualTo(
            Json.object(
                "{\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\",\"Pool\":\"10.5.0.0/24\","
                    + "\"Data\":{\"com.docker.network.gateway\":\"10.5.0.1/24\"}}"));
    String serial =
        "{\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\",\"Address\":\"\",\"Options\":{\"com.docker.network.ipam.serial\":\"true\"}}";
    String plain = "{\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\",\"Address\":\"\",\"Options\":{}}";
    byte[] s = serial.getBytes(StandardCharsets.UTF_8);
    assertThat(Json.object(h1.handle("/IpamDriver.RequestAddress", s).json()).getString("Address"))
        .isEqualTo("10.5.0.2/24");
    h1.handle(
        "/IpamDriver.ReleaseAddress",
        "{\"PoolID\":\"ClusterIpamLocal/10.5.0.0/24\",\"Address\":\"10.5.0.2\"}"
            .getBytes(StandardCharsets.UTF_8));
    // Serial: the next after the last one handed out, not the freed lowest one.
    assertThat(Json.object(h1.handle("/IpamDriver.RequestAddress", s).json()).getString("Address"))
        .isEqualTo("10.5.0.3/24");
    assertThat(
            Json.object(
                    h1.handle("/IpamDriver.RequestAddress", plain.getBytes(StandardCharsets.UTF_8))
                        .json())
                .getString("Address"))
        .isEqualTo("10.5.0.2/24");
  }

  @Test
  void requestPoolWithNullsAndEmptiesMeansDynamic() {
    call(
        "/IpamDriver.RequestPool",
        "{\"AddressSpace\":\"ClusterIpamGlobal\",\"Pool\":\"\",\"SubPool\":null,\"Options\":null,\"V6\":true}");
    call(
        "/IpamDriver.RequestPool",
        "{\"AddressSpace\":\"ClusterIpamGlobal\",\"Unknown\":[1,{\"x\":null}]}");
    assertThat(ipam.calls)
        .containsExactly(
            new PoolRequest(
                NODE, "ClusterIpamGlobal", Optional.empty(), Optional.empty(), Map.of(), true),
            new PoolRequest(
                NODE, "ClusterIpamGlobal", Optional.empty(), Optional.empty(), Map.of(), false));
  }

  @Test
  void gatewayRequestBecomesGatewayKindWithoutTheTypeOption() {
    PoolId pool = new PoolId(poolId());
    ipam.calls.clear();
    JsonObject o =
        call(
            "/IpamDriver.RequestAddress",
            "{\"PoolID\":\""
                + pool
                + "\",\"Address\":\"10.5.0.254\",\"Options\":{\"RequestAddressType\":\"com.docker.network.gateway\","
                + "\"com.docker.network.ipam.serial\":\"true\"}}");
    assertThat(o.getString("Address")).isEqualTo("10.5.0.254/24");
    call(
        "/IpamDriver.RequestAddress",
        "{\"PoolID\":\""
            + pool
            + "\",\"Address\":\"\",\"Options\":{\"com.docker.network.endpoint.macaddress\":\"02:42:28:f6:86:4b\"}}");
    call(
        "/IpamDriver.RequestAddress",
        "{\"PoolID\":\"" + pool + "\",\"Address\":\"10.5.0.50\",\"Options\":null}");
    assertThat(ipam.calls)
        .containsExactly(
            new AddressRequest(
                NODE,
                pool,
                Optional.of(IpAddress.parse("10.5.0.254")),
                AddressKind.GATEWAY,
                true,
                Map.of("com.docker.network.ipam.serial", "true")),
            new AddressRequest(
                NODE,
                pool,
                Optional.empty(),
                AddressKind.ENDPOINT,
                Map.of("com.docker.network.endpoint.macaddress", "02:42:28:f6:86:4b")),
            new AddressRequest(
                NODE,
                pool,
                Optional.of(IpAddress.parse("10.5.0.50")),
                AddressKind.ENDPOINT,
                Map.of()));
  }

  @Test
  void releasesAnswerEmptyObject() {
    String pool = poolId();
    assertThat(
            call(
                "/IpamDriver.ReleaseAddress",
                "{\"PoolID\":\"" + pool + "\",\"Address\":\"10.5.0.2\"}"))
        .isEmpty();
    assertThat(call("/IpamDriver.ReleasePool", "{\"PoolID\":\"" + pool + "\"}")).isEmpty();
    assertThat(ipam.calls)
        .endsWith(
            new RecordingIpam.ReleaseAddress(NODE, new PoolId(pool), IpAddress.parse("10.5.0.2")),
            new RecordingIpam.ReleasePool(NODE, new PoolId(pool)));
  }

  private String poolId() {
    return call(
            "/IpamDriver.RequestPool",
            "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.5.0.0/24\"}")
        .getString("PoolID");
  }

  @Test
  void ipv6AddressesComeBackWithTheirPrefixLength() {
    String pool =
        call(
                "/IpamDriver.RequestPool",
                "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"fd00:6::/64\",\"V6\":false}")
            .getString("PoolID");
    assertThat(
            call(
                    "/IpamDriver.RequestAddress",
                    "{\"PoolID\":\"" + pool + "\",\"Address\":\"fd00:6::ffff\"}")
                .getString("Address"))
        .isEqualTo("fd00:6::ffff/64");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "{",
        "[]",
        "null",
        "5",
        "\"x\"",
        "{\"AddressSpace\":5}",
        "{\"V6\":1}",
        "{\"V6\":\"true\"}",
        "{\"Options\":[1]}",
        "{\"Options\":{\"a\":1}}",
        "{\"Options\":{\"a\":null}}",
        "{\"Pool\":{\"x\":1}}",
        "{\"AddressSpace\":\"L\",\"Pool\":\"10.5.0.1/24\"}",
        "{\"AddressSpace\":\"L\",\"Pool\":\"example.com/24\"}",
        "{\"AddressSpace\":\"L\",\"SubPool\":\"10.5.0.0/33\"}"
      })
  void badRequestPoolBodiesAreRefusedWithoutCallingTheEngine(String body) {
    assertThat(error("/IpamDriver.RequestPool", body))
        .containsAnyOf("RequestPool", "Pool: ", "SubPool: ");
    assertThat(ipam.calls).isEmpty();
  }

  @Test
  void errorMessagesNameTheProblem() {
    assertThat(error("/IpamDriver.RequestPool", ""))
        .isEqualTo("IpamDriver.RequestPool request has an empty body; expected a JSON object");
    assertThat(error("/IpamDriver.RequestPool", "{\"V6\":1}"))
        .isEqualTo(
            "field \"V6\" of the IpamDriver.RequestPool request must be a boolean or null, not a number");
    assertThat(error("/IpamDriver.RequestPool", "{\"Pool\":\"10.5.0.1/24\"}"))
        .isEqualTo(
            "Pool: invalid CIDR prefix \"10.5.0.1/24\": host bits are set; did you mean 10.5.0.0/24?");
    assertThat(error("/IpamDriver.RequestAddress", "{\"PoolID\":\"p\",\"Address\":\"localhost\"}"))
        .startsWith("Address: invalid IP address \"localhost\"");
    assertThat(error("/IpamDriver.RequestAddress", "{\"Address\":\"10.0.0.1\"}"))
        .isEqualTo("RequestAddress request needs a PoolID");
    assertThat(error("/IpamDriver.ReleaseAddress", "{\"PoolID\":\"p\"}"))
        .isEqualTo("ReleaseAddress request needs an Address");
    assertThat(error("/IpamDriver.ReleasePool", "{\"PoolID\":\"a b\"}"))
        .startsWith("PoolID: malformed pool id");
    assertThat(error("/IpamDriver.Nope", "{}")).startsWith("unknown endpoint \"/IpamDriver.Nope\"");
    assertThat(error("/IpamDriver.RequestPool", "{\"AddressSpace\":\"L\"}\u0000".repeat(1)))
        .startsWith("malformed JSON in IpamDriver.RequestPool request");
    assertThat(
            error(
                "/IpamDriver.RequestPool",
                "{\"Unknown\":" + "[".repeat(5000) + "]".repeat(5000) + "}"))
        .startsWith("malformed JSON in IpamDriver.RequestPool request: ")
        .contains("nested");
    byte[] badUtf8 = {
      '{', '"', 'P', 'o', 'o', 'l', '"', ':', '"', (byte) 0xc3, (byte) 0x28, '"', '}'
    };
    assertThat(Json.error(protocol.handle("/IpamDriver.RequestPool", badUtf8).json()))
        .isEqualTo("IpamDriver.RequestPool request body is not valid UTF-8");
    assertThat(
            Json.error(
                protocol
                    .handle("/IpamDriver.RequestPool", new byte[DriverProtocol.MAX_BODY_BYTES + 1])
                    .json()))
        .isEqualTo("request body of 1048577 bytes exceeds the limit of 1048576 bytes");
    assertThat(ipam.calls).isEmpty();
  }

  @Test
  void engineFailuresPassThroughAndStoreFailuresAreNamed() {
    String body = "{\"AddressSpace\":\"L\",\"Pool\":\"10.5.0.0/24\"}";
    ipam.failWith(
        new ExhaustedException(
            ExhaustedException.Level.HOST_BLOCK,
            IpPrefix.parse("10.80.3.64/26"),
            "no free address in host block 10.80.3.64/26 of pool 10.80.3.0/24 and no free block to claim"));
    assertThat(error("/IpamDriver.RequestPool", body))
        .isEqualTo(
            "no free address in host block 10.80.3.64/26 of pool 10.80.3.0/24 and no free block to claim");
    ipam.failWith(
        new StoreUnavailableException(
            "etcd at 127.0.0.1:2379 did not answer within 5s", new java.io.IOException()));
    assertThat(error("/IpamDriver.RequestPool", body))
        .isEqualTo("store unavailable: etcd at 127.0.0.1:2379 did not answer within 5s");
    ipam.failWith(new StoreConflictException("requestAddress: 16 attempts"));
    assertThat(error("/IpamDriver.RequestPool", body))
        .startsWith("store conflict")
        .endsWith(": requestAddress: 16 attempts");
    ipam.failWith(new StoreCorruptException("pools/x", "bad varint", null));
    assertThat(error("/IpamDriver.RequestPool", body))
        .isEqualTo("store corrupt: corrupt data at pools/x: bad varint");
    ipam.failWith(new NullPointerException());
    assertThat(error("/IpamDriver.RequestPool", body))
        .isEqualTo("internal error in IpamDriver.RequestPool: NullPointerException");
    ipam.failWith(new IllegalStateException("line1\nline2"));
    assertThat(error("/IpamDriver.GetDefaultAddressSpaces", ""))
        .isEqualTo(
            "internal error in IpamDriver.GetDefaultAddressSpaces: IllegalStateException: line1?line2");
  }
}
