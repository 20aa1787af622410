package org.clusteripam.daemon.perhost;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * A task's TCP service: greets with its name, then echoes each line prefixed with it. Tests only.
 */
final class EchoServer {
  private EchoServer() {}

  static ServerSocket start(Netns ns, String name, int port) throws InterruptedException {
    ServerSocket[] holder = new ServerSocket[1];
    CountDownLatch bound = new CountDownLatch(1);
    ns.spawn(
        "server-" + name,
        () -> {
          try (ServerSocket ss = new ServerSocket()) {
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(port));
            holder[0] = ss;
            bound.countDown();
            while (!ss.isClosed()) {
              Socket s = ss.accept();
              Thread t = new Thread(() -> serve(s, name), "conn-" + name);
              t.setDaemon(true);
              t.start();
            }
          } catch (IOException e) {
            bound.countDown();
          }
        });
    bound.await();
    if (holder[0] == null) {
      throw new IllegalStateException("server " + name + " did not bind");
    }
    return holder[0];
  }

  private static void serve(Socket s, String name) {
    try (s) {
      OutputStream out = s.getOutputStream();
      out.write((name + " hello\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        out.write((name + " echo " + line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (IOException e) {
      // the client went away
    }
  }
}
