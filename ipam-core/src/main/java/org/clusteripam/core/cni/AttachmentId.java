package org.clusteripam.core.cni;

import org.clusteripam.core.ipam.InvalidRequestException;
import org.clusteripam.core.ipam.Names;

/**
 * The identity of a CNI attachment: the CNI network name, {@code CNI_CONTAINERID} and {@code
 * CNI_IFNAME}. A repeated ADD of the same identity is a replay.
 *
 * <p>Network names and container ids follow the CNI spec's character set, which is the key-safe set
 * of {@link Names}; an interface name may hold any character Linux allows, so it is escaped for
 * keys.
 */
public record AttachmentId(String network, String containerId, String ifname) {
  public static final int MAX_NETWORK = 128;
  public static final int MAX_CONTAINER_ID = 256;

  public AttachmentId {
    if (!Names.isValid(network, MAX_NETWORK)) {
      throw new InvalidRequestException(
          Names.problem("CNI network name", MAX_NETWORK, String.valueOf(network)));
    }
    if (!Names.isValid(containerId, MAX_CONTAINER_ID)) {
      throw new InvalidRequestException(
          Names.problem("CNI_CONTAINERID", MAX_CONTAINER_ID, String.valueOf(containerId)));
    }
    if (ifname == null
        || ifname.isEmpty()
        || ifname.length() > 15
        || ifname.equals(".")
        || ifname.equals("..")
        || ifname.chars().anyMatch(c -> c == '/' || c == ':' || c <= ' ' || c > '~')) {
      throw new InvalidRequestException(
          "CNI_IFNAME must be 1-15 printable characters without '/', ':' or spaces, got \""
              + ifname
              + "\"");
    }
  }

  /**
   * {@code <network>/<container>/<escaped ifname>}: the attachment's part of its key and holder
   * name.
   */
  public String path() {
    return network + "/" + containerId + "/" + escape(ifname);
  }

  /** Parses {@link #path()}; empty when it is not one. */
  public static java.util.Optional<AttachmentId> parsePath(String path) {
    String[] parts = path.split("/", -1);
    if (parts.length != 3) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(new AttachmentId(parts[0], parts[1], unescape(parts[2])));
    } catch (InvalidRequestException | IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
  }

  /** Characters outside {@code [A-Za-z0-9._-]} become {@code %XX}. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (Names.isValid(String.valueOf(c), 1)) {
        b.append(c);
      } else {
        b.append('%').append(String.format("%02X", (int) c));
      }
    }
    return b.toString();
  }

  static String unescape(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw new IllegalArgumentException("bad escape in " + s);
        }
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return "network " + network + " container " + containerId + " ifname " + ifname;
  }
}
