package org.clusteripam.daemon.cli;

import java.util.Optional;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.state.CarvingConfig;
import org.clusteripam.core.state.Keys;
import org.clusteripam.core.state.StateCodec;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.core.store.StoreException;
import org.clusteripam.daemon.store.StoreOptions;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Model.CommandSpec;

/** The store and engine a CLI command works on, carved with the parameters recorded in the store. */
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
      throw new ParameterException(spec.commandLine(), "cannot open the " + options.describe() + ": " + e.getMessage()
          + (options.usesEtcd() ? "" : " (the embedded store is locked while `serve` runs on it: stop the daemon first, or use etcd)"), e);
    }
    Optional<CarvingConfig> c = store.peek(Keys.CONFIG).map(v -> StateCodec.decodeConfig(Keys.CONFIG, v.value()));
    IpamConfig.Builder b = IpamConfig.builder();
    c.ifPresent(cc -> b.supernetV4(cc.supernetV4()).supernetV6(cc.supernetV6()).networkLengthV4(cc.networkLengthV4())
        .networkLengthV6(cc.networkLengthV6()).blockLengthV4(cc.blockLengthV4()).blockLengthV6(cc.blockLengthV6()));
    return new CliStore(store, b.build());
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
