package org.clusteripam.testkit.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The recorded dockerd 20.10.24 IPAM traffic (the kit's resources, docker-traces/), one {@link
 * Call} per line. The only copy of the traces and their only parser.
 */
public final class DockerTrace {
  public static final String V1_LOCAL = "trace-v1-local.jsonl";
  public static final String V2_SWARM = "trace-v2-swarm.jsonl";
  public static final String HOST_HEADER = "trace-host-header.jsonl";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private DockerTrace() {}

  /**
   * One recorded call.
   *
   * @param line the line number in the file (as in docker-ipam-traces.txt)
   * @param path the request path, {@code /IpamDriver.RequestPool}, {@code /Plugin.Activate}, ...
   * @param method {@code RequestPool}, {@code Plugin.Activate}, ... (path without {@code
   *     /IpamDriver.})
   * @param rawBody the request body exactly as dockerd sent it ({@code ""} for none)
   * @param request the parsed body, or null when empty
   * @param response the stand-in's reply; {@link #failed()} when it was an injected error
   */
  public record Call(
      int line,
      String path,
      String method,
      Map<String, String> headers,
      String rawBody,
      JsonNode request,
      JsonNode response,
      int status) {
    /** The stand-in was told to fail this call (v1 lines 50-57): dockerd then rolled back. */
    public boolean failed() {
      return status != 200 || response.has("Error") || response.has("Err");
    }

    /** dockerd's {@code Host} header: absent, empty (20.10.24) or a name. */
    public Optional<String> hostHeader() {
      return Optional.ofNullable(headers.get("Host"));
    }

    public String text(String field) {
      JsonNode n = request == null ? null : request.get(field);
      return n == null || n.isNull() ? "" : n.asText();
    }

    /** Request options without nulls ({@code Options: null} → empty). */
    public Map<String, String> options() {
      TreeMap<String, String> out = new TreeMap<>();
      JsonNode o = request == null ? null : request.get("Options");
      if (o != null && o.isObject()) {
        o.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
      }
      return out;
    }
  }

  /** Parses JSON text (a request or an answer body). */
  public static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Loads a trace from the classpath. */
  public static List<Call> load(String name) {
    try (InputStream in = DockerTrace.class.getResourceAsStream("/docker-traces/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no trace " + name + " on the classpath");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<Call> calls = new ArrayList<>();
      int line = 0;
      for (String l : text.split("\n")) {
        if (l.isBlank()) {
          continue;
        }
        line++;
        JsonNode n = MAPPER.readTree(l);
        String path = n.get("path").asText();
        String method = path.substring(path.lastIndexOf('/') + 1).replace("IpamDriver.", "");
        TreeMap<String, String> hdr = new TreeMap<>();
        n.get("hdr").fields().forEachRemaining(e -> hdr.put(e.getKey(), e.getValue().asText()));
        String raw = n.get("req_raw").asText();
        JsonNode req = raw.isBlank() ? null : MAPPER.readTree(raw);
        JsonNode resp = n.get("resp");
        calls.add(
            new Call(
                line,
                path,
                method,
                hdr,
                raw,
                req,
                resp != null && resp.isObject() ? resp : MAPPER.createObjectNode(),
                n.get("status").asInt()));
      }
      return calls;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
