package org.clusteripam.core.cni;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.net.IpPrefix;
import org.clusteripam.core.store.StoreCorruptException;

/**
 * The stored form of an {@link Attachment}: UTF-8 lines {@code name=value}, values with control
 * characters and {@code %} escaped as {@code %XX}; one {@code ip=POOL BLOCK ADDRESS GATEWAY|-} line
 * per address. Readable with {@code etcdctl get}.
 */
public final class AttachmentCodec {
  private static final String MAGIC = "cni-attachment 1";

  private AttachmentCodec() {}

  public static byte[] encode(Attachment a) {
    StringBuilder b = new StringBuilder(MAGIC).append('\n');
    line(b, "network", a.id().network());
    line(b, "container", a.id().containerId());
    line(b, "ifname", a.id().ifname());
    line(b, "host", a.host());
    line(b, "netns", a.netns());
    line(b, "boot", a.bootId());
    line(b, "since", Long.toString(a.sinceMillis()));
    for (AttachedIp ip : a.ips()) {
      line(
          b,
          "ip",
          ip.pool()
              + " "
              + ip.block()
              + " "
              + ip.address()
              + " "
              + ip.gateway().map(IpAddress::toString).orElse("-"));
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  public static Attachment decode(String key, byte[] bytes) {
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
    if (lines.length == 0 || !lines[0].equals(MAGIC)) {
      throw new StoreCorruptException(key, "not a CNI attachment record", null);
    }
    Map<String, String> f = new HashMap<>();
    List<AttachedIp> ips = new ArrayList<>();
    try {
      for (int i = 1; i < lines.length; i++) {
        int eq = lines[i].indexOf('=');
        if (eq < 0) {
          throw new IllegalArgumentException("line without '=': " + lines[i]);
        }
        String name = lines[i].substring(0, eq);
        String value = unescape(lines[i].substring(eq + 1));
        if (name.equals("ip")) {
          String[] p = value.split(" ");
          if (p.length != 4) {
            throw new IllegalArgumentException("bad ip line: " + value);
          }
          ips.add(
              new AttachedIp(
                  IpPrefix.parse(p[0]),
                  IpPrefix.parse(p[1]),
                  IpAddress.parse(p[2]),
                  p[3].equals("-") ? Optional.empty() : Optional.of(IpAddress.parse(p[3]))));
        } else {
          f.put(name, value);
        }
      }
      AttachmentId id =
          new AttachmentId(need(f, "network"), need(f, "container"), need(f, "ifname"));
      return new Attachment(
          id,
          need(f, "host"),
          f.getOrDefault("netns", ""),
          f.getOrDefault("boot", ""),
          Long.parseLong(need(f, "since")),
          ips);
    } catch (IllegalArgumentException | org.clusteripam.core.ipam.InvalidRequestException e) {
      throw new StoreCorruptException(key, e.getMessage(), e);
    }
  }

  private static String need(Map<String, String> f, String name) {
    String v = f.get(name);
    if (v == null) {
      throw new IllegalArgumentException("missing " + name);
    }
    return v;
  }

  private static void line(StringBuilder b, String name, String value) {
    b.append(name).append('=');
    for (char c : value.toCharArray()) {
      if (c < ' ' || c == '%' || c == 0x7f) {
        b.append('%').append(String.format("%02X", (int) c));
      } else {
        b.append(c);
      }
    }
    b.append('\n');
  }

  private static String unescape(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else if (c == '%') {
        throw new IllegalArgumentException("bad escape in " + s);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
