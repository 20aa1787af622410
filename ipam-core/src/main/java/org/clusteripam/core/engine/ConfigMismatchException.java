package org.clusteripam.core.engine;

import java.util.List;

/**
 * The store was carved with other parameters than this node's configuration. Starting anyway would
 * mix pool and block layouts, so the node refuses; the message lists every difference.
 */
public final class ConfigMismatchException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public ConfigMismatchException(String store, List<String> differences) {
    super(
        "the configuration does not match the state in "
            + store
            + ": "
            + String.join("; ", differences)
            + " (use the stored parameters, or a new store or prefix for a new layout)");
  }
}
