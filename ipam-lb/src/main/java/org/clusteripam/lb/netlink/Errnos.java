package org.clusteripam.lb.netlink;

/** Names for the errno values netlink and IPVS return (Linux numbering). */
public final class Errnos {
  private Errnos() {}

  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int ESRCH = 3;
  public static final int EINTR = 4;
  public static final int ENOMEM = 12;
  public static final int EBUSY = 16;
  public static final int EEXIST = 17;
  public static final int EINVAL = 22;
  public static final int ERANGE = 34;
  public static final int EOPNOTSUPP = 95;
  public static final int EAFNOSUPPORT = 97;
  public static final int ENOBUFS = 105;
  public static final int EPROTONOSUPPORT = 93;
  public static final int ENETUNREACH = 101;

  /** The symbolic name, e.g. "EEXIST", or "errno 123". */
  public static String name(int errno) {
    return switch (errno) {
      case EPERM -> "EPERM";
      case ENOENT -> "ENOENT";
      case ESRCH -> "ESRCH";
      case EINTR -> "EINTR";
      case ENOMEM -> "ENOMEM";
      case EBUSY -> "EBUSY";
      case EEXIST -> "EEXIST";
      case EINVAL -> "EINVAL";
      case ERANGE -> "ERANGE";
      case EOPNOTSUPP -> "EOPNOTSUPP";
      case EAFNOSUPPORT -> "EAFNOSUPPORT";
      case ENOBUFS -> "ENOBUFS";
      case EPROTONOSUPPORT -> "EPROTONOSUPPORT";
      case ENETUNREACH -> "ENETUNREACH";
      default -> "errno " + errno;
    };
  }

  /** "EEXIST (File exists)". */
  public static String describe(int errno) {
    String text =
        switch (errno) {
          case EPERM -> "Operation not permitted";
          case ENOENT -> "No such file or directory";
          case ESRCH -> "No such process";
          case EINTR -> "Interrupted system call";
          case ENOMEM -> "Cannot allocate memory";
          case EBUSY -> "Device or resource busy";
          case EEXIST -> "File exists";
          case EINVAL -> "Invalid argument";
          case ERANGE -> "Numerical result out of range";
          case EOPNOTSUPP -> "Operation not supported";
          case EAFNOSUPPORT -> "Address family not supported by protocol";
          case ENOBUFS -> "No buffer space available";
          case EPROTONOSUPPORT -> "Protocol not supported";
          case ENETUNREACH -> "Network is unreachable";
          default -> null;
        };
    return text == null ? name(errno) : name(errno) + " (" + text + ")";
  }
}
