package org.clusteripam.daemon.cni;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP relay in front of one endpoint, so a test can make that endpoint unreachable for
 * one client only ({@link #cut()}: the listener and every relayed connection close) while others
 * still reach it directly.
 */
final class TcpRelay implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile boolean cut;

  private TcpRelay(ServerSocket server, InetSocketAddress target) {
    this.server = server;
    this.target = target;
    Thread t = new Thread(this::accept, "relay-" + server.getLocalPort());
    t.setDaemon(true);
    t.start();
  }

  /** A relay to {@code endpoint} ({@code http://127.0.0.1:PORT}). */
  static TcpRelay to(String endpoint) throws IOException {
    URI u = URI.create(endpoint);
    return new TcpRelay(
        new ServerSocket(0, 50, InetAddress.getLoopbackAddress()),
        new InetSocketAddress(u.getHost(), u.getPort()));
  }

  /** The relay's own endpoint, in the form of the target's. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  private void accept() {
    while (!cut) {
      try {
        Socket in = server.accept();
        Socket out = new Socket();
        out.connect(target, 2000);
        open.add(in);
        open.add(out);
        pipe(in, out);
        pipe(out, in);
      } catch (IOException e) {
        if (cut) {
          return;
        }
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16384];
              try (InputStream i = from.getInputStream();
                  OutputStream o = to.getOutputStream()) {
                for (int n; (n = i.read(buf)) >= 0; ) {
                  o.write(buf, 0, n);
                  o.flush();
                }
              } catch (IOException ended) {
                // either side closed
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "relay-pipe");
    t.setDaemon(true);
    t.start();
  }

  /** From now on the endpoint refuses connections and every relayed one is closed. */
  void cut() {
    cut = true;
    closeQuietly(server);
    open.forEach(TcpRelay::closeQuietly);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing
    }
  }

  @Override
  public void close() {
    cut();
  }
}
