package org.clusteripam.lb.netlink;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/** {@link NetlinkTransport} over the C library through JNR-FFI. */
public final class JnrNetlinkTransport implements NetlinkTransport {

  /** The libc functions used; errno is saved per call so it survives the JVM's own syscalls. */
  public interface LibC {
    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int bind(int fd, @In byte[] address, int addressLength);

    @SaveError
    int setsockopt(int fd, int level, int option, @In byte[] value, int valueLength);

    @SaveError
    long sendto(
        int fd, @In byte[] buffer, long length, int flags, @In byte[] address, int addressLength);

    @SaveError
    long recvfrom(
        int fd, @Out byte[] buffer, long length, int flags, Pointer address, Pointer addressLength);

    @SaveError
    int close(int fd);
  }

  private static volatile JnrNetlinkTransport instance;

  private final LibC libc;
  private final Runtime runtime;

  private JnrNetlinkTransport(LibC libc) {
    this.libc = libc;
    this.runtime = Runtime.getRuntime(libc);
  }

  /** The process-wide transport; loading libc once is enough. */
  public static JnrNetlinkTransport get() {
    JnrNetlinkTransport t = instance;
    if (t == null) {
      synchronized (JnrNetlinkTransport.class) {
        t = instance;
        if (t == null) {
          t = new JnrNetlinkTransport(LibraryLoader.create(LibC.class).load("c"));
          instance = t;
        }
      }
    }
    return t;
  }

  @Override
  public int socket(int domain, int type, int protocol) {
    return libc.socket(domain, type, protocol);
  }

  @Override
  public int bind(int fd, byte[] address) {
    return libc.bind(fd, address, address.length);
  }

  @Override
  public int setsockopt(int fd, int level, int option, byte[] value) {
    return libc.setsockopt(fd, level, option, value, value.length);
  }

  @Override
  public int sendto(int fd, byte[] buffer, int length, byte[] address) {
    return (int) libc.sendto(fd, buffer, length, 0, address, address.length);
  }

  @Override
  public int recvfrom(int fd, byte[] buffer, int length) {
    return (int) libc.recvfrom(fd, buffer, length, 0, null, null);
  }

  @Override
  public int close(int fd) {
    return libc.close(fd);
  }

  @Override
  public int errno() {
    return runtime.getLastError();
  }
}
