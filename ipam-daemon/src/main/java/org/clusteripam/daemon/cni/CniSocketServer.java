package org.clusteripam.daemon.cni;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.clusteripam.cni.CniHandler;
import org.clusteripam.cni.CniReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the CNI shim on a Unix socket, mode 0600 (root only): each connection is one plugin
 * invocation, answered by a {@link CniHandler}. A peer that is not root is refused.
 */
public final class CniSocketServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CniSocketServer.class);
  private static final int MAX_REQUEST = 4 << 20;

  private final Path path;
  private final ServerSocketChannel server;
  private final CniHandler handler;
  private final ExecutorService workers;
  private final Thread acceptor;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean closed;

  private CniSocketServer(Path path, ServerSocketChannel server, CniHandler handler) {
    this.path = path;
    this.server = server;
    this.handler = handler;
    this.workers =
        new ThreadPoolExecutor(
            16,
            16,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "ipam-cni");
              t.setDaemon(true);
              return t;
            });
    this.acceptor = new Thread(this::acceptLoop, "ipam-cni-accept");
    this.acceptor.setDaemon(true);
  }

  /** Binds {@code path} (replacing a stale socket file) with mode 0600 and starts serving. */
  public static CniSocketServer start(Path path, CniHandler handler) throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    if (Files.exists(path) && answers(path)) {
      throw new BusyException("another process serves CNI on " + path);
    }
    Files.deleteIfExists(path); // a stale socket of a process that died
    ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.bind(UnixDomainSocketAddress.of(path));
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      ch.close();
      throw new IOException("cannot serve CNI on " + path + ": " + e.getMessage(), e);
    }
    CniSocketServer s = new CniSocketServer(path, ch, handler);
    s.acceptor.start();
    return s;
  }

  /** The socket path is served by another live process. */
  public static final class BusyException extends IOException {
    private static final long serialVersionUID = 1L;

    BusyException(String message) {
      super(message);
    }
  }

  private static boolean answers(Path path) {
    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      c.connect(UnixDomainSocketAddress.of(path));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public Path path() {
    return path;
  }

  public int callsInFlight() {
    return inFlight.get();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        SocketChannel c = server.accept();
        workers.execute(() -> serve(c));
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("event=cni_accept_failed error=\"{}\"", e.getMessage());
        }
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return;
      }
    }
  }

  private void serve(SocketChannel c) {
    inFlight.incrementAndGet();
    try (c) {
      var peer = c.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED);
      if (peer != null && !"root".equals(peer.user().getName())) {
        LOG.warn("event=cni_refused peer_user={}", peer.user().getName());
        return;
      }
      ByteArrayOutputStream in = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(16384);
      while (c.read(buf) >= 0) {
        in.write(buf.array(), 0, buf.position());
        buf.clear();
        if (in.size() > MAX_REQUEST) {
          throw new IOException("request larger than " + MAX_REQUEST + " bytes");
        }
      }
      CniFrame f = CniFrame.decode(in.toByteArray());
      CniReply r = handler.handle(f.env(), f.stdin());
      LOG.debug(
          "event=cni_call command={} container={} ifname={} exit={}",
          f.env().get("CNI_COMMAND"),
          f.env().get("CNI_CONTAINERID"),
          f.env().get("CNI_IFNAME"),
          r.exitCode());
      ByteBuffer out = ByteBuffer.wrap(CniFrame.encode(r));
      while (out.hasRemaining()) {
        c.write(out);
      }
    } catch (IOException | IllegalArgumentException e) {
      LOG.warn("event=cni_call_failed error=\"{}\"", e.getMessage());
    } finally {
      inFlight.decrementAndGet();
    }
  }

  /**
   * Stops accepting, lets calls in flight finish (a few seconds at most), removes the socket file.
   */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      LOG.debug("event=cni_close error=\"{}\"", e.getMessage());
    }
    workers.shutdown();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      LOG.debug("event=cni_unlink error=\"{}\"", e.getMessage());
    }
  }
}
