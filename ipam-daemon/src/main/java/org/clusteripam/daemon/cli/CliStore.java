package org.clusteripam.daemon.cli;

import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.engine.IpamQueries;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.StoreException;
import org.clusteripam.daemon.store.StoreOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The store and engine a CLI command works on, carved with the parameters recorded in the store.
 */
final class CliStore implements AutoCloseable {
  final StateStore store;
  final IpamConfig config;

  private CliStore(StateStore store, IpamConfig config) {
    this.store = store;
    this.config = config;
  }

  static CliStore open(CommandSpec spec, StoreOptions options) {
    StateStore store;
    try {
      store = options.open();
    } catch (StoreException | IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(),
          "cannot open the "
              + options.describe()
              + ": "
              + e.getMessage()
              + (options.usesEtcd()
                  ? ""
                  : " (the embedded store is locked while `serve` runs on it: stop the daemon first, or use etcd)"),
          e);
    }
    return new CliStore(store, IpamQueries.recordedConfig(store));
  }

  /** The read model of the store (no engine: reading never records a carving). */
  IpamQueries queries() {
    return new IpamQueries(store, config);
  }

  /** The engine acting as {@code node} (only for commands that change state). */
  IpamEngine engine() {
    return IpamEngine.open(store, config, java.time.Clock.systemUTC());
  }

  @Override
  public void close() {
    store.close();
  }
}
