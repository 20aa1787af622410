package org.clusteripam.docker.protocol;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbException;
import jakarta.json.stream.JsonParser;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Decodes a request body strictly: valid UTF-8, one JSON object, every known field of the right
 * type (or null or absent), unknown fields ignored. Only then is it bound to its record by JSON-B,
 * because Yasson alone would coerce wrong types instead of rejecting them.
 */
final class RequestBodies {
  private final Jsonb jsonb;

  RequestBodies(Jsonb jsonb) {
    this.jsonb = jsonb;
  }

  <T> T decode(String method, byte[] body, Class<T> type, Map<String, FieldType> fields) {
    String text = utf8(method, body);
    if (text.isBlank()) {
      throw new ProtocolException(method + " request has an empty body; expected a JSON object");
    }
    JsonValue value;
    try (JsonParser parser = Json.createParser(new StringReader(text))) {
      parser.next();
      value = parser.getValue();
      if (parser.hasNext()) {
        throw new ProtocolException(
            "malformed JSON in " + method + " request: unexpected content after the JSON value");
      }
    } catch (ProtocolException e) {
      throw e;
    } catch (RuntimeException e) {
      // JsonException for syntax; Parsson throws a bare RuntimeException beyond its nesting limit.
      throw new ProtocolException(
          "malformed JSON in " + method + " request: " + ErrorMessages.describe(e));
    }
    if (value.getValueType() != JsonValue.ValueType.OBJECT) {
      throw new ProtocolException(method + " request must be a JSON object, not " + kind(value));
    }
    JsonObject object = value.asJsonObject();
    for (Map.Entry<String, FieldType> field : fields.entrySet()) {
      JsonValue v = object.get(field.getKey());
      if (v != null && v.getValueType() != JsonValue.ValueType.NULL) {
        check(method, field.getKey(), field.getValue(), v);
      }
    }
    try {
      return jsonb.fromJson(text, type);
    } catch (JsonbException e) {
      throw new ProtocolException("malformed " + method + " request: " + ErrorMessages.describe(e));
    }
  }

  private static void check(String method, String name, FieldType type, JsonValue v) {
    boolean ok =
        switch (type) {
          case STRING -> v.getValueType() == JsonValue.ValueType.STRING;
          case BOOLEAN ->
              v.getValueType() == JsonValue.ValueType.TRUE
                  || v.getValueType() == JsonValue.ValueType.FALSE;
          case STRING_MAP -> v.getValueType() == JsonValue.ValueType.OBJECT;
        };
    if (!ok) {
      throw new ProtocolException(
          "field \""
              + name
              + "\" of the "
              + method
              + " request must be "
              + type.description()
              + " or null, not "
              + kind(v));
    }
    if (type == FieldType.STRING_MAP) {
      for (Map.Entry<String, JsonValue> e : v.asJsonObject().entrySet()) {
        if (e.getValue().getValueType() != JsonValue.ValueType.STRING) {
          throw new ProtocolException(
              "field \""
                  + name
                  + "\" of the "
                  + method
                  + " request must hold string values, but \""
                  + ErrorMessages.printable(e.getKey())
                  + "\" is "
                  + kind(e.getValue()));
        }
      }
    }
  }

  private static String kind(JsonValue v) {
    return switch (v.getValueType()) {
      case OBJECT -> "an object";
      case ARRAY -> "an array";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case TRUE, FALSE -> "a boolean";
      case NULL -> "null";
    };
  }

  private static String utf8(String method, byte[] body) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ProtocolException(method + " request body is not valid UTF-8");
    }
  }
}
