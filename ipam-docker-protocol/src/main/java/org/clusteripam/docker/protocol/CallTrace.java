package org.clusteripam.docker.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.clusteripam.core.ipam.HostId;

/**
 * One line per call Docker sends ({@code serve --trace-calls}), as the protocol saw it: the raw
 * request body and the exact reply, or the refusal with the failure's type, and the call's time:
 *
 * <pre>
 * event=call method=RequestAddress node=h1 request={"PoolID":..,"Address":"","Options":{}} response={"Address":"10.80.0.2/24","Data":{}} ms=0.84
 * event=call method=RequestPool node=h1 request={...} error="..." error_type=ExhaustedException ms=2.10
 * </pre>
 *
 * Every call is traced, also {@code Plugin.Activate}, {@code GetCapabilities} and requests refused
 * before the engine. Each of request, response and error is cut to {@link #MAX_FIELD} characters,
 * control characters are escaped, so a line stays under 2 KB and on one line.
 */
public final class CallTrace {
  /** The most characters of one rendered request, response or error message. */
  public static final int MAX_FIELD = 800;

  /** Room kept for the "...(N more chars)" marker. */
  private static final int MARKER = 32;

  private CallTrace() {}

  /**
   * The trace line of one call.
   *
   * @param failure the refusal's or failure's type, or null for an answer
   * @param error the message Docker is told (null for an answer)
   */
  static String line(
      String method,
      HostId node,
      byte[] body,
      DriverReply reply,
      Throwable failure,
      String error,
      long nanos) {
    String outcome =
        failure == null
            ? "response=" + escaped(reply.json(), MAX_FIELD)
            : "error=" + quoted(error) + " error_type=" + failure.getClass().getSimpleName();
    return "event=call method="
        + methodName(method)
        + " node="
        + node
        + " request="
        + request(body)
        + " "
        + outcome
        + String.format(Locale.ROOT, " ms=%.2f", nanos / 1e6);
  }

  /** {@code IpamDriver.RequestPool} → {@code RequestPool}; {@code Plugin.Activate} stays. */
  static String methodName(String method) {
    String m = method.startsWith("IpamDriver.") ? method.substring("IpamDriver.".length()) : method;
    return m.isEmpty() ? "(none)" : escaped(m.replace(' ', '_'), 100);
  }

  /** The body as Docker sent it (without its final newline); an empty body as {@code {}}. */
  static String request(byte[] body) {
    if (body == null || body.length == 0) {
      return "{}";
    }
    // Decode no more than can be shown (a body may be a megabyte); what is left out is counted.
    int decoded = Math.min(body.length, MAX_FIELD * 4);
    String text = new String(body, 0, decoded, StandardCharsets.UTF_8);
    long beyond = body.length - decoded;
    if (beyond == 0) {
      text = text.stripTrailing();
    }
    if (text.isEmpty()) {
      return "{}";
    }
    StringBuilder b = new StringBuilder();
    if (escapeInto(b, text, MAX_FIELD, false) == text.length() && beyond == 0) {
      return b.toString();
    }
    b.setLength(0);
    int kept = escapeInto(b, text, MAX_FIELD - MARKER, false);
    return b.append("...(").append(text.length() - kept + beyond).append(" more chars)").toString();
  }

  /**
   * An error message as one quoted string, escaped so that quotes and newlines cannot break the
   * line, of at most {@link #MAX_FIELD} characters with the quotes.
   */
  public static String quoted(String message) {
    String m = message == null ? "" : message;
    StringBuilder b = new StringBuilder("\"");
    if (escapeInto(b, m, MAX_FIELD - 2, true) < m.length()) {
      // Too long: start over with room for the marker, cutting only between whole escapes.
      b.setLength(1);
      int kept = escapeInto(b, m, MAX_FIELD - 2 - MARKER, true);
      b.append("...(").append(m.length() - kept).append(" more chars)");
    }
    return b.append('"').toString();
  }

  /** {@code text} with control characters escaped, cut to {@code max} characters with a marker. */
  static String escaped(String text, int max) {
    StringBuilder b = new StringBuilder();
    if (escapeInto(b, text, max, false) < text.length()) {
      b.setLength(0);
      int kept = escapeInto(b, text, max - MARKER, false);
      b.append("...(").append(text.length() - kept).append(" more chars)");
    }
    return b.toString();
  }

  /**
   * Appends the escapes of {@code m}'s characters while they fit in {@code budget}; returns how
   * many did.
   */
  private static int escapeInto(StringBuilder b, String m, int budget, boolean quotes) {
    int used = 0;
    int i = 0;
    for (; i < m.length(); i++) {
      String e = escape(m.charAt(i), quotes);
      if (used + e.length() > budget) {
        break;
      }
      b.append(e);
      used += e.length();
    }
    return i;
  }

  private static String escape(char c, boolean quotes) {
    return switch (c) {
      case '"' -> quotes ? "\\\"" : "\"";
      case '\\' -> quotes ? "\\\\" : "\\";
      case '\n' -> "\\n";
      case '\r' -> "\\r";
      case '\t' -> "\\t";
      default ->
          c < 0x20 || c == 0x7f
              ? String.format(Locale.ROOT, "\\u%04x", (int) c)
              : String.valueOf(c);
    };
  }
}
