package org.clusteripam.docker.trace;

import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.clusteripam.docker.testing.UnixHttpClient.HostHeader;

/**
 * One recorded call of a real dockerd 20.10.24 (src/test/resources/docker-traces, copied from
 * shared/docker-traces).
 *
 * @param line the call's number in docker-ipam-traces.txt (its line in the .jsonl file)
 * @param requestBody the raw body dockerd sent
 * @param request the body parsed, or empty for an empty body
 * @param response what the logging stand-in answered
 * @param status the stand-in's HTTP status
 */
record TraceCall(int line, String path, HostHeader host, String requestBody, Optional<JsonObject> request, JsonObject response, int status) {

  String method() {
    return path.substring(1);
  }

  /** The stand-in was told to fail this call (trace lines 50-57): dockerd then rolled back. */
  boolean failedInTrace() {
    return status != 200 || response.containsKey("Error") || response.containsKey("Err");
  }

  static List<TraceCall> load(String name) {
    InputStream in = TraceCall.class.getResourceAsStream("/docker-traces/" + name);
    if (in == null) {
      throw new IllegalStateException("missing test resource docker-traces/" + name);
    }
    List<TraceCall> calls = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String text;
      while ((text = r.readLine()) != null) {
        if (!text.isBlank()) {
          calls.add(parse(calls.size() + 1, text));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return calls;
  }

  private static TraceCall parse(int line, String text) {
    JsonObject o = object(text);
    JsonObject hdr = o.getJsonObject("hdr");
    HostHeader host =
        !hdr.containsKey("Host") ? HostHeader.ABSENT : hdr.getString("Host").isEmpty() ? HostHeader.EMPTY : HostHeader.MOBY;
    String raw = o.getString("req_raw");
    JsonValue resp = o.get("resp");
    return new TraceCall(
        line,
        o.getString("path"),
        host,
        raw,
        raw.isBlank() ? Optional.empty() : Optional.of(object(raw)),
        resp.getValueType() == JsonValue.ValueType.OBJECT ? resp.asJsonObject() : JsonValue.EMPTY_JSON_OBJECT,
        o.getInt("status"));
  }

  static JsonObject object(String text) {
    try (JsonReader r = jakarta.json.Json.createReader(new StringReader(text))) {
      return r.readObject();
    }
  }
}
