package org.clusteripam.core.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.clusteripam.core.store.StateStore;

/** The schema-1 store written by {@link Schema1FixtureGenerator} with the schema-1 engine. */
public final class Schema1Fixture {
  private Schema1Fixture() {}

  /** Key → value of the schema-1 store. */
  public static TreeMap<String, String> contents() {
    try (InputStream in = Schema1Fixture.class.getResourceAsStream("/schema1/store.json")) {
      JsonNode n = new ObjectMapper().readTree(in);
      TreeMap<String, String> out = new TreeMap<>();
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        out.put(e.getKey(), e.getValue().textValue());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the fixture into an empty store, in one transaction. */
  public static void load(StateStore store) {
    TreeMap<String, String> c = contents();
    store.transact(
        "loadFixture",
        v -> {
          c.forEach((k, val) -> v.put(k, val.getBytes(StandardCharsets.UTF_8)));
          return null;
        });
  }

  /** The store's values as text (a binary block as {@code hex:} and its bytes). */
  public static TreeMap<String, String> dump(StateStore store) {
    TreeMap<String, String> out = new TreeMap<>();
    store
        .list("")
        .forEach(
            (k, v) ->
                out.put(
                    k,
                    org.clusteripam.core.state.BlockCodec.isBinary(v.value())
                        ? "hex:" + java.util.HexFormat.of().formatHex(v.value())
                        : new String(v.value(), StandardCharsets.UTF_8)));
    return out;
  }

  /** The bytes of a value {@link #dump} printed. */
  public static byte[] bytes(String dumped) {
    return dumped.startsWith("hex:")
        ? java.util.HexFormat.of().parseHex(dumped.substring(4))
        : dumped.getBytes(StandardCharsets.UTF_8);
  }
}
