package org.clusteripam.docker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.docker.client.UnixHttpClient;
import org.clusteripam.docker.client.UnixHttpClient.HostHeader;
import org.clusteripam.docker.client.UnixHttpClient.Response;
import org.clusteripam.docker.testing.Json;
import org.clusteripam.docker.testing.RecordingIpam;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The HTTP transport over a real Unix socket with a real HTTP client, backed by a recording fake.
 */
class PluginServerTest {
  private static final HostId NODE = new HostId("node-1");

  @TempDir Path dir;
  private final RecordingIpam ipam = new RecordingIpam();
  private PluginServer server;
  private Path socket;

  @BeforeEach
  void start() throws IOException {
    socket = dir.resolve("p.sock");
    server =
        PluginServer.start(
            socket,
            ipam,
            NODE,
            PluginServerOptions.defaults()
                .withWorkerThreads(4)
                .withDrainTimeout(Duration.ofSeconds(5)));
  }

  @AfterEach
  void stop() {
    ipam.open();
    server.close();
  }

  private static JsonObject ok(Response r) {
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).isEqualTo("application/vnd.docker.plugins.v1.2+json");
    JsonObject o = Json.object(r.body());
    assertThat(o.containsKey("Error")).as(r.body()).isFalse();
    return o;
  }

  private static String error(Response r) {
    assertThat(r.status()).isEqualTo(200);
    JsonObject o = Json.object(r.body());
    assertThat(o.keySet()).as(r.body()).containsExactly("Error");
    return o.getString("Error");
  }

  @ParameterizedTest
  @EnumSource(HostHeader.class)
  void everyEndpointOnOneKeepAliveConnection(HostHeader host) throws IOException {
    try (UnixHttpClient c = UnixHttpClient.connect(socket, host)) {
      assertThat(ok(c.post("/Plugin.Activate", "")))
          .isEqualTo(Json.object("{\"Implements\":[\"IpamDriver\"]}"));
      assertThat(ok(c.post("/IpamDriver.GetCapabilities", "")))
          .isEqualTo(Json.object("{\"RequiresMACAddress\":false,\"RequiresRequestReplay\":true}"));
      assertThat(
              ok(c.post("/IpamDriver.GetDefaultAddressSpaces", ""))
                  .getString("LocalDefaultAddressSpace"))
          .isEqualTo("ClusterIpamLocal");
      JsonObject pool =
          ok(
              c.post(
                  "/IpamDriver.RequestPool",
                  "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.5.0.0/24\",\"SubPool\":\"\",\"Options\":{},\"V6\":false}\n"));
      assertThat(pool.getString("Pool")).isEqualTo("10.5.0.0/24");
      String id = pool.getString("PoolID");
      assertThat(
              ok(c.post(
                      "/IpamDriver.RequestAddress",
                      "{\"PoolID\":\""
                          + id
                          + "\",\"Address\":\"\",\"Options\":{\"RequestAddressType\":\"com.docker.network.gateway\"}}\n"))
                  .getString("Address"))
          .isEqualTo("10.5.0.1/24");
      assertThat(
              ok(c.post(
                      "/IpamDriver.RequestAddress",
                      "{\"PoolID\":\"" + id + "\",\"Address\":\"10.5.0.50\",\"Options\":null}\n"))
                  .getString("Address"))
          .isEqualTo("10.5.0.50/24");
      assertThat(
              ok(
                  c.post(
                      "/IpamDriver.ReleaseAddress",
                      "{\"PoolID\":\"" + id + "\",\"Address\":\"10.5.0.50\"}\n")))
          .isEmpty();
      assertThat(ok(c.post("/IpamDriver.ReleasePool", "{\"PoolID\":\"" + id + "\"}\n"))).isEmpty();
      assertThat(c.isOpen()).isTrue();
    }
    assertThat(ipam.calls).hasSize(6);
  }

  @Test
  void refusalsAreHttp200WithAnErrorAndTheConnectionKeepsServing() throws IOException {
    try (UnixHttpClient c = UnixHttpClient.connect(socket)) {
      assertThat(error(c.post("/IpamDriver.RequestPool", ""))).contains("empty body");
      assertThat(error(c.post("/IpamDriver.RequestPool", "{\"AddressSpace\":")))
          .startsWith("malformed JSON");
      assertThat(error(c.post("/IpamDriver.RequestAddress", "{\"PoolID\":[\"x\"]}")))
          .contains("\"PoolID\"", "must be a string");
      assertThat(error(c.post("/IpamDriver.Frobnicate", "{}")))
          .startsWith("unknown endpoint \"/IpamDriver.Frobnicate\"");
      assertThat(error(c.post("/", ""))).startsWith("unknown endpoint");
      assertThat(error(c.post("/IpamDriver.RequestPool?x=1", "{\"Pool\":\"10.0.0.0/40\"}")))
          .startsWith("Pool: invalid CIDR");
      assertThat(ok(c.post("/Plugin.Activate", ""))).containsKey("Implements");
      assertThat(c.isOpen()).isTrue();
    }
    assertThat(ipam.calls).isEmpty();
  }

  @Test
  void bodyOverOneMebibyteIsRefusedAndTheConnectionSurvives() throws IOException {
    try (UnixHttpClient c = UnixHttpClient.connect(socket)) {
      byte[] big = new byte[(1 << 20) + 1];
      java.util.Arrays.fill(big, (byte) ' ');
      assertThat(error(c.post("/IpamDriver.RequestPool", big)))
          .isEqualTo("request body exceeds the limit of 1048576 bytes");
      // Exactly the limit is accepted: a valid object padded with whitespace.
      byte[] exact = new byte[1 << 20];
      java.util.Arrays.fill(exact, (byte) ' ');
      byte[] json =
          "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.7.0.0/24\"}"
              .getBytes(StandardCharsets.UTF_8);
      System.arraycopy(json, 0, exact, 0, json.length);
      assertThat(ok(c.post("/IpamDriver.RequestPool", exact)).getString("Pool"))
          .isEqualTo("10.7.0.0/24");
      assertThat(ok(c.post("/Plugin.Activate", ""))).containsKey("Implements");
    }
    assertThat(ipam.calls).hasSize(1);
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws IOException {
    try (UnixHttpClient c = UnixHttpClient.connect(socket)) {
      byte[] big = new byte[(1 << 20) + 10];
      c.send(
          "/IpamDriver.RequestPool",
          "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.1.0.0/24\"}"
              .getBytes(StandardCharsets.UTF_8),
          Map.of());
      c.send("/IpamDriver.RequestPool", big, Map.of());
      c.send("/IpamDriver.GetCapabilities", new byte[0], Map.of());
      c.send(
          "/IpamDriver.RequestPool",
          "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.2.0.0/24\"}"
              .getBytes(StandardCharsets.UTF_8),
          Map.of());
      assertThat(ok(c.await(Duration.ofSeconds(10))).getString("Pool")).isEqualTo("10.1.0.0/24");
      assertThat(error(c.await(Duration.ofSeconds(10)))).contains("exceeds the limit");
      assertThat(ok(c.await(Duration.ofSeconds(10)))).containsKey("RequiresRequestReplay");
      assertThat(ok(c.await(Duration.ofSeconds(10))).getString("Pool")).isEqualTo("10.2.0.0/24");
    }
  }

  @Test
  void connectionCloseIsHonoured() throws Exception {
    try (UnixHttpClient c = UnixHttpClient.connect(socket)) {
      c.send("/Plugin.Activate", new byte[0], Map.of("Connection", "close"));
      Response r = c.await(Duration.ofSeconds(5));
      assertThat(ok(r)).containsKey("Implements");
      assertThat(r.connection()).isEqualToIgnoringCase("close");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (c.isOpen() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(c.isOpen()).isFalse();
    }
  }

  @Test
  void garbageThatIsNotHttpGetsAnErrorAndOnlyThatConnectionCloses() throws IOException {
    try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      raw.connect(UnixDomainSocketAddress.of(socket));
      raw.write(
          ByteBuffer.wrap(
              "\u0001\u0002 NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)));
      String answer = readUntilClosed(raw);
      assertThat(answer)
          .startsWith("HTTP/1.1 200 OK")
          .contains("{\"Error\":\"malformed HTTP request");
    }
    try (UnixHttpClient c = UnixHttpClient.connect(socket)) {
      assertThat(ok(c.post("/Plugin.Activate", ""))).containsKey("Implements");
    }
  }

  private static String readUntilClosed(SocketChannel raw) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(64 << 10);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline && raw.read(buf) >= 0) {
      // blocking read until the server closes
    }
    return new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void aSlowEngineCallBlocksNeitherTheEventLoopNorOtherConnections() throws Exception {
    try (UnixHttpClient slow = UnixHttpClient.connect(socket);
        UnixHttpClient fast = UnixHttpClient.connect(socket)) {
      ipam.hold();
      slow.send(
          "/IpamDriver.RequestPool",
          "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.3.0.0/24\"}"
              .getBytes(StandardCharsets.UTF_8),
          Map.of());
      waitFor(() -> server.callsInFlight() == 1);
      // Answered while the engine call on the other connection is still held.
      assertThat(ok(fast.post("/IpamDriver.GetCapabilities", "")))
          .containsKey("RequiresMACAddress");
      assertThat(error(fast.post("/IpamDriver.RequestPool", "{]"))).startsWith("malformed JSON");
      ipam.open();
      assertThat(ok(slow.await(Duration.ofSeconds(5))).getString("Pool")).isEqualTo("10.3.0.0/24");
    }
  }

  @Test
  void closeStopsAcceptingDrainsCallsInFlightAndRemovesTheSocket() throws Exception {
    UnixHttpClient c = UnixHttpClient.connect(socket);
    try {
      ipam.hold();
      c.send(
          "/IpamDriver.RequestPool",
          "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.4.0.0/24\"}"
              .getBytes(StandardCharsets.UTF_8),
          Map.of());
      waitFor(() -> server.callsInFlight() == 1);
      CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
      waitFor(() -> !SocketFiles.hasListener(socket));
      assertThat(closing).isNotDone();
      ipam.open();
      assertThat(ok(c.await(Duration.ofSeconds(5))).getString("Pool")).isEqualTo("10.4.0.0/24");
      closing.get(10, TimeUnit.SECONDS);
      assertThat(socket).doesNotExist();
      assertThatThrownBy(() -> UnixHttpClient.connect(socket).close())
          .isInstanceOf(IOException.class);
    } finally {
      c.close();
    }
  }

  @Test
  void aClientThatHangsUpMidCallLeavesNothingInFlight() throws Exception {
    ipam.hold();
    try (UnixHttpClient c = UnixHttpClient.connect(socket)) {
      c.send(
          "/IpamDriver.RequestPool",
          "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.8.0.0/24\"}"
              .getBytes(StandardCharsets.UTF_8),
          Map.of());
      waitFor(() -> server.callsInFlight() == 1);
    }
    ipam.open();
    waitFor(() -> server.callsInFlight() == 0);
    try (UnixHttpClient c = UnixHttpClient.connect(socket)) {
      assertThat(ok(c.post("/Plugin.Activate", ""))).containsKey("Implements");
    }
  }

  @Test
  void socketIsGroupOnly() throws IOException {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
        .isEqualTo("rw-rw----");
    assertThat(server.socketPath()).isEqualTo(socket.toAbsolutePath());
  }

  @Test
  void aLiveSocketIsRefusedAndAStaleOneReplaced() throws IOException {
    assertThatThrownBy(() -> PluginServer.start(socket, ipam, NODE))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("already listening on " + socket);
    try (UnixHttpClient c = UnixHttpClient.connect(socket)) {
      // the first server is untouched
      assertThat(ok(c.post("/Plugin.Activate", ""))).containsKey("Implements");
    }
    Path stale = dir.resolve("stale.sock");
    ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    dead.bind(UnixDomainSocketAddress.of(stale));
    dead.close(); // the file stays behind, as after a crash
    assertThat(stale).exists();
    try (PluginServer second = PluginServer.start(stale, ipam, NODE);
        UnixHttpClient c = UnixHttpClient.connect(stale)) {
      assertThat(ok(c.post("/Plugin.Activate", ""))).containsKey("Implements");
      assertThat(second.socketPath()).isEqualTo(stale.toAbsolutePath());
    }
  }

  @Test
  void aRegularFileOrATooLongPathIsRefused() throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-socket"), "data");
    assertThatThrownBy(() -> PluginServer.start(file, ipam, NODE))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a socket");
    assertThat(Files.readString(file)).isEqualTo("data");
    Path longPath = dir.resolve("x".repeat(120) + ".sock");
    assertThatThrownBy(() -> PluginServer.start(longPath, ipam, NODE))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("107-byte limit");
  }

  @Test
  void aCallersExecutorIsUsedNotShutDownAndAFullOneRefusesWithAnError() throws Exception {
    java.util.concurrent.ExecutorService mine =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    java.util.concurrent.atomic.AtomicBoolean accept =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.Executor gate =
        task -> {
          if (!accept.get()) {
            throw new java.util.concurrent.RejectedExecutionException("full");
          }
          mine.execute(task);
        };
    try (PluginServer own =
            PluginServer.start(
                dir.resolve("own.sock"),
                ipam,
                NODE,
                PluginServerOptions.defaults().withExecutor(gate));
        UnixHttpClient c = UnixHttpClient.connect(own.socketPath())) {
      assertThat(ok(c.post("/Plugin.Activate", ""))).containsKey("Implements");
      accept.set(false);
      assertThat(
              error(
                  c.post(
                      "/IpamDriver.RequestPool",
                      "{\"AddressSpace\":\"ClusterIpamLocal\",\"Pool\":\"10.9.0.0/24\"}")))
          .isEqualTo("plugin overloaded: too many calls waiting for a worker; retry");
      // Activation never waits for a worker: dockerd can enable the plugin while the store is slow.
      assertThat(ok(c.post("/Plugin.Activate", ""))).containsKey("Implements");
      assertThat(ok(c.post("/IpamDriver.GetCapabilities", "")))
          .containsKey("RequiresRequestReplay");
      accept.set(true);
      assertThat(ok(c.post("/IpamDriver.GetDefaultAddressSpaces", "")))
          .containsKey("LocalDefaultAddressSpace");
    } finally {
      assertThat(mine.isShutdown()).as("the caller's executor is the caller's").isFalse();
      mine.shutdownNow();
    }
    assertThat(ipam.calls).containsExactly("addressSpaces");
  }

  private static void waitFor(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within 10 s");
      }
      Thread.sleep(5);
    }
  }
}
