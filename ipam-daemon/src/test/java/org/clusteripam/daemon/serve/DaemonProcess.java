package org.clusteripam.daemon.serve;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code cluster-ipam serve} as a child JVM (so tests can SIGTERM and kill -9 it), on this test's
 * classpath.
 */
public final class DaemonProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final long spawnedNanos;

  private DaemonProcess(Process process, Path log, long spawnedNanos) {
    this.process = process;
    this.log = log;
    this.spawnedNanos = spawnedNanos;
  }

  public static DaemonProcess start(Path log, String... serveArgs) throws IOException {
    return start(
        List.of("-cp", System.getProperty("java.class.path"), "org.clusteripam.daemon.Main"),
        log,
        serveArgs);
  }

  /** From the shaded jar, with the JVM flags of the systemd unit and the plugin. */
  public static DaemonProcess startJar(Path jar, Path log, String... serveArgs) throws IOException {
    return start(
        List.of("-XX:+UseSerialGC", "-Xss512k", "-XX:MaxRAM=256m", "-jar", jar.toString()),
        log,
        serveArgs);
  }

  private static DaemonProcess start(List<String> launch, Path log, String... serveArgs)
      throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1"));
    cmd.addAll(launch);
    cmd.add("serve");
    cmd.addAll(List.of(serveArgs));
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new DaemonProcess(p, log, t0);
  }

  /** Waits until {@code socket} accepts connections; returns the time since the JVM was spawned. */
  public Duration awaitSocket(Path socket, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("daemon exited " + process.exitValue() + ": " + log());
      }
      if (connectable(socket)) {
        return Duration.ofNanos(System.nanoTime() - spawnedNanos);
      }
      Thread.sleep(5);
    }
    throw new AssertionError("socket " + socket + " not listening after " + timeout + ": " + log());
  }

  public static boolean connectable(Path socket) {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** One plugin call over the Unix socket; returns the response body. */
  public static String call(Path socket, String method, String body) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      String req =
          "POST /"
              + method
              + " HTTP/1.1\r\nHost: \r\nAccept: application/vnd.docker.plugins.v1.2+json\r\nContent-Length: "
              + b.length
              + "\r\nConnection: close\r\n\r\n"
              + body;
      ch.write(ByteBuffer.wrap(req.getBytes(StandardCharsets.UTF_8)));
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      while (ch.read(buf) >= 0) {
        if (!buf.hasRemaining()) {
          break;
        }
      }
      String resp = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
      return resp.substring(resp.indexOf("\r\n\r\n") + 4);
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM; returns the exit code. */
  public int stop(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("daemon did not exit within " + timeout + " of SIGTERM: " + log());
    }
    return process.exitValue();
  }

  /** kill -9. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** Waits for the process to exit on its own; returns the exit code. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("daemon still running after " + timeout + ": " + log());
    }
    return process.exitValue();
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
