package org.clusteripam.docker.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Ways to break a request body: byte flips, truncation, type swaps, huge strings, deep nesting, bad
 * UTF-8.
 */
final class Mutations {
  private static final String[] VALUES = {
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1e999",
    "3.5",
    "[]",
    "[1,2]",
    "{}",
    "{\"a\":1}",
    "\"\"",
    "\"x\"",
    "\"10.5.0.0/24\"",
    "\"10.5.0.7\"",
    "\"::\"",
    "\"fd00:6::1\"",
    "\"0.0.0.0/0\"",
    "\"255.255.255.255\"",
    "\"localhost\"",
    "\"10.5.0.1/24\"",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"com.docker.network.gateway\"",
    "{\"RequestAddressType\":\"com.docker.network.gateway\"}",
    "{\"com.docker.network.ipam.serial\":\"true\"}",
    "{\"RequestAddressType\":5}"
  };
  private static final String[] FIELDS = {
    "AddressSpace", "Pool", "SubPool", "Options", "V6", "PoolID", "Address", "Unknown"
  };

  private Mutations() {}

  static byte[] mutate(byte[] body, Random r) {
    int kinds = 1 + (r.nextInt(4) == 0 ? r.nextInt(3) : 0);
    byte[] out = body;
    for (int i = 0; i < kinds; i++) {
      out = once(out, r);
    }
    return out;
  }

  private static byte[] once(byte[] b, Random r) {
    String s = new String(b, StandardCharsets.UTF_8);
    switch (r.nextInt(13)) {
      case 0: // unchanged: keeps valid traffic flowing so that successes are fuzzed too
        return b;
      case 1:
        { // byte flip
          if (b.length == 0) {
            return b;
          }
          byte[] c = b.clone();
          c[r.nextInt(c.length)] ^= (byte) (1 << r.nextInt(8));
          return c;
        }
      case 2: // truncation
        return java.util.Arrays.copyOf(b, b.length == 0 ? 0 : r.nextInt(b.length));
      case 3: // type swap of a known field
      case 4:
        {
          String f = FIELDS[r.nextInt(FIELDS.length)];
          String v = VALUES[r.nextInt(VALUES.length)];
          String replaced =
              s.replaceFirst(
                  "\"" + f + "\":(\"[^\"]*\"|null|true|false|\\{[^}]*\\}|[-0-9.e]+)",
                  "\"" + f + "\":" + java.util.regex.Matcher.quoteReplacement(v));
          if (replaced.equals(s) && s.startsWith("{")) {
            replaced = "{\"" + f + "\":" + v + (s.length() > 2 ? "," : "") + s.substring(1);
          }
          return replaced.getBytes(StandardCharsets.UTF_8);
        }
      case 5:
        { // huge string
          String f = FIELDS[r.nextInt(FIELDS.length)];
          String huge =
              "\"" + "a".repeat(r.nextInt(8) == 0 ? 1_100_000 : 1 + r.nextInt(70_000)) + "\"";
          return ("{\"" + f + "\":" + huge + "}").getBytes(StandardCharsets.UTF_8);
        }
      case 6:
        { // deep nesting, within and beyond the parser's depth limit
          int depth = r.nextBoolean() ? 50 + r.nextInt(200) : 1_000 + r.nextInt(20_000);
          String f = FIELDS[r.nextInt(FIELDS.length)];
          return ("{\"" + f + "\":" + "[".repeat(depth) + "]".repeat(depth) + "}")
              .getBytes(StandardCharsets.UTF_8);
        }
      case 7:
        { // invalid UTF-8
          ByteArrayOutputStream o = new ByteArrayOutputStream();
          int at = b.length == 0 ? 0 : r.nextInt(b.length);
          o.write(b, 0, at);
          byte[][] bad = {
            {(byte) 0xc3, 0x28},
            {(byte) 0xff},
            {(byte) 0x80},
            {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
            {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}
          };
          byte[] x = bad[r.nextInt(bad.length)];
          o.write(x, 0, x.length);
          o.write(b, at, b.length - at);
          return o.toByteArray();
        }
      case 8:
        { // random bytes
          byte[] c = new byte[r.nextInt(200)];
          r.nextBytes(c);
          return c;
        }
      case 9: // a different top-level type
        return VALUES[r.nextInt(VALUES.length)].getBytes(StandardCharsets.UTF_8);
      case 10:
        { // insert a random JSON-ish token
          int at = s.isEmpty() ? 0 : r.nextInt(s.length());
          String[] tokens = {
            ",", ":", "{", "}", "[", "]", "\"", "\\", "null", "\u00e9", "\u0000", "  "
          };
          return (s.substring(0, at) + tokens[r.nextInt(tokens.length)] + s.substring(at))
              .getBytes(StandardCharsets.UTF_8);
        }
      case 11: // duplicate key with another value
        return s.startsWith("{") && s.length() > 2
            ? ("{\""
                    + FIELDS[r.nextInt(FIELDS.length)]
                    + "\":"
                    + VALUES[r.nextInt(VALUES.length)]
                    + ","
                    + s.substring(1))
                .getBytes(StandardCharsets.UTF_8)
            : b;
      default: // empty body
        return new byte[0];
    }
  }

  static String preview(byte[] body) {
    String s = new String(body, 0, Math.min(body.length, 160), StandardCharsets.UTF_8);
    return "[" + body.length + " bytes] " + s.replaceAll("\\p{Cntrl}", "?");
  }
}
