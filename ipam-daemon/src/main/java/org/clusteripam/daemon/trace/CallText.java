package org.clusteripam.daemon.trace;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.clusteripam.core.ipam.AddressGrant;
import org.clusteripam.core.ipam.AddressRequest;
import org.clusteripam.core.ipam.AddressSpaces;
import org.clusteripam.core.ipam.PoolGrant;
import org.clusteripam.core.ipam.PoolRequest;
import org.clusteripam.docker.protocol.DockerLabels;

/**
 * Compact JSON of one plugin call's request and response, in Docker's field names (so a trace line
 * reads like the call Docker sent), each cut to {@link #MAX_FIELD} characters: a trace line stays
 * under 2 KB even when Docker sends a megabyte of options.
 */
final class CallText {
  /** The most characters of one rendered request, response or error message. */
  static final int MAX_FIELD = 800;

  private static final ObjectMapper JSON = new ObjectMapper();

  private CallText() {}

  static String request(PoolRequest r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("AddressSpace", r.addressSpace());
    m.put("Pool", r.pool().map(Object::toString).orElse(""));
    m.put("SubPool", r.subPool().map(Object::toString).orElse(""));
    m.put("Options", new TreeMap<>(r.options()));
    m.put("V6", r.v6());
    return json(m);
  }

  static String response(PoolGrant g) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("PoolID", g.id().value());
    m.put("Pool", g.pool().toString());
    m.put("Data", g.gateway().map(a -> Map.of(DockerLabels.GATEWAY, a + "/" + g.pool().length())).orElse(Map.of()));
    return json(m);
  }

  /** The request as the engine got it: {@code RequestAddressType} is already turned into {@code Kind}. */
  static String request(AddressRequest r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("PoolID", r.pool().value());
    m.put("Address", r.preferred().map(Object::toString).orElse(""));
    m.put("Kind", r.kind().name().toLowerCase(Locale.ROOT));
    m.put("Options", new TreeMap<>(r.options()));
    return json(m);
  }

  static String response(AddressGrant g) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Address", g.cidr());
    m.put("Data", new TreeMap<>(g.data()));
    return json(m);
  }

  static String release(String poolId, Optional<String> address) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("PoolID", poolId);
    address.ifPresent(a -> m.put("Address", a));
    return json(m);
  }

  static String response(AddressSpaces s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("LocalDefaultAddressSpace", s.local());
    m.put("GlobalDefaultAddressSpace", s.global());
    return json(m);
  }

  /**
   * An error message as one quoted string, escaped so that quotes and newlines cannot break the line,
   * of at most {@link #MAX_FIELD} characters with the quotes.
   */
  static String quoted(String message) {
    String m = message == null ? "" : message;
    StringBuilder b = new StringBuilder("\"");
    if (escapeInto(b, m, MAX_FIELD - 2) < m.length()) {
      // Too long: start over with room for the marker, cutting only between whole escapes.
      b.setLength(1);
      int kept = escapeInto(b, m, MAX_FIELD - 2 - MARKER);
      b.append("...(").append(m.length() - kept).append(" more chars)");
    }
    return b.append('"').toString();
  }

  /** Appends the escapes of {@code m}'s characters while they fit in {@code budget}; returns how many did. */
  private static int escapeInto(StringBuilder b, String m, int budget) {
    int used = 0;
    int i = 0;
    for (; i < m.length(); i++) {
      String e = escape(m.charAt(i));
      if (used + e.length() > budget) {
        break;
      }
      b.append(e);
      used += e.length();
    }
    return i;
  }

  private static String escape(char c) {
    return switch (c) {
      case '"' -> "\\\"";
      case '\\' -> "\\\\";
      case '\n' -> "\\n";
      case '\r' -> "\\r";
      case '\t' -> "\\t";
      default -> c < 0x20 ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c);
    };
  }

  /** {@code text}, or its start and how much was left out, in at most {@code max} characters. */
  static String cut(String text, int max) {
    return text.length() <= max ? text : shortened(text, text.length(), max);
  }

  /** Room kept for the "...(N more chars)" marker. */
  private static final int MARKER = 32;

  private static String shortened(CharSequence start, long total, int max) {
    int keep = max - MARKER;
    return start.subSequence(0, keep) + "...(" + (total - keep) + " more chars)";
  }

  /** Renders into a writer that keeps only what can be shown, so a huge request costs no huge string. */
  private static String json(Object value) {
    Bounded w = new Bounded(MAX_FIELD);
    try {
      JSON.writeValue(w, value);
    } catch (IOException e) {
      throw new IllegalStateException("maps of strings always render", e);
    }
    return w.text();
  }

  /** Keeps the first {@code keep} characters written and counts the rest. */
  private static final class Bounded extends Writer {
    private final StringBuilder kept = new StringBuilder();
    private final int keep;
    private long dropped;

    Bounded(int keep) {
      this.keep = keep;
    }

    @Override
    public void write(char[] buf, int off, int len) {
      int room = Math.max(0, Math.min(len, keep - kept.length()));
      kept.append(buf, off, room);
      dropped += len - room;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    String text() {
      return dropped == 0 ? kept.toString() : shortened(kept, kept.length() + dropped, keep);
    }
  }
}
