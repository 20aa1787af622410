package org.clusteripam.docker.testing;

import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;

/** Parses response bodies in tests. */
public final class Json {
  private Json() {}

  public static JsonObject object(String text) {
    try (JsonReader r = jakarta.json.Json.createReader(new StringReader(text))) {
      return r.readObject();
    }
  }

  /** The {@code Error} message, or null when the body is a success shape. */
  public static String error(String text) {
    JsonObject o = object(text);
    return o.containsKey("Error") ? o.getString("Error") : null;
  }
}
