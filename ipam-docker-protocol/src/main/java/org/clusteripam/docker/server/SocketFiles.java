package org.clusteripam.docker.server;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The socket file's life: refuse a live one, replace a stale one, restrict its mode. */
final class SocketFiles {
  /** sun_path holds 108 bytes including the terminating NUL. */
  static final int MAX_PATH_BYTES = 107;

  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;

  private SocketFiles() {}

  /**
   * Makes {@code socket} ready to bind: parent created, a stale socket from a dead process removed.
   */
  static void prepare(Path socket) throws IOException {
    int bytes = socket.toString().getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_PATH_BYTES) {
      throw new IOException(
          "socket path "
              + socket
              + " is "
              + bytes
              + " bytes, longer than the "
              + MAX_PATH_BYTES
              + "-byte limit of Unix sockets");
    }
    Path parent = socket.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!isSocket(socket)) {
      throw new IOException("refusing to replace " + socket + ": it exists and is not a socket");
    }
    if (hasListener(socket)) {
      throw new IOException(
          "another process is already listening on " + socket + "; stop it first");
    }
    Files.delete(socket);
  }

  /** rw for owner and group only: dockerd runs as root, the socket must not be world-writable. */
  static void restrictPermissions(Path socket) throws IOException {
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
  }

  static boolean isSocket(Path path) throws IOException {
    int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    return (mode & S_IFMT) == S_IFSOCK;
  }

  /** True when something accepts connections there; a refused connection means a stale file. */
  static boolean hasListener(Path socket) {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
