package org.clusteripam.daemon.cni;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.clusteripam.cni.CniReply;

/**
 * The shim's framing on the CNI socket. Request: {@code "CNI1\n"}, {@code NAME=VALUE\0} per CNI_*
 * variable, {@code \0}, then stdin until EOF. Reply: the exit code in decimal, {@code "\n"}, then
 * the plugin's stdout until EOF.
 */
record CniFrame(Map<String, String> env, byte[] stdin) {
  static final byte[] MAGIC = "CNI1\n".getBytes(StandardCharsets.US_ASCII);

  static CniFrame decode(byte[] b) {
    if (b.length < MAGIC.length || !Arrays.equals(b, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new IllegalArgumentException("not a cluster-ipam CNI request");
    }
    Map<String, String> env = new LinkedHashMap<>();
    int i = MAGIC.length;
    while (true) {
      int end = i;
      while (end < b.length && b[end] != 0) {
        end++;
      }
      if (end >= b.length) {
        throw new IllegalArgumentException("the environment block is not terminated");
      }
      if (end == i) {
        i++;
        break;
      }
      String entry = new String(b, i, end - i, StandardCharsets.UTF_8);
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("bad environment entry: " + entry);
      }
      env.put(entry.substring(0, eq), entry.substring(eq + 1));
      i = end + 1;
    }
    return new CniFrame(env, Arrays.copyOfRange(b, i, b.length));
  }

  static byte[] encode(CniReply r) {
    byte[] head = (r.exitCode() + "\n").getBytes(StandardCharsets.US_ASCII);
    byte[] body = r.stdout().getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, out, head.length, body.length);
    return out;
  }
}
