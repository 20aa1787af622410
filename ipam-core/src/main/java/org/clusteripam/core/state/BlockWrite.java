package org.clusteripam.core.state;

import java.util.List;
import java.util.Map;

/**
 * What storing a block writes ({@link BlockCodec#write}): the value at its key (a chunked block's
 * summary, written only when {@code valueChanged}), the chunk keys it changed and those it emptied,
 * and the block as now stored (its chunks' bytes remembered, so the next read of the same bytes
 * decodes nothing).
 */
public record BlockWrite(
    byte[] value,
    boolean valueChanged,
    Map<String, byte[]> chunkPuts,
    List<String> chunkDeletes,
    Block stored) {
  public BlockWrite {
    chunkPuts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(chunkPuts));
    chunkDeletes = List.copyOf(chunkDeletes);
  }
}
