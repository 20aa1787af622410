package org.clusteripam.sim;

import java.time.Clock;
import org.clusteripam.core.engine.IpamConfig;
import org.clusteripam.core.engine.IpamEngine;
import org.clusteripam.core.ipam.DriverIpam;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.etcd.EtcdStateStore;
import org.clusteripam.etcd.EtcdStoreConfig;
import org.clusteripam.etcd.SharedEtcd;

/**
 * One simulated machine: its own etcd store (its own cache and committer, on the fleet's shared
 * client and watch) and its own engine.
 */
public record SimHost(HostId id, EtcdStateStore store, IpamEngine engine) {

  /** The driver's calls, as Docker makes them on this host. */
  public DriverIpam ipam() {
    return engine.driver();
  }

  static SimHost open(
      HostId id, SharedEtcd shared, EtcdStoreConfig storeConfig, IpamConfig config) {
    EtcdStateStore s = shared.connect(storeConfig);
    try {
      return new SimHost(id, s, IpamEngine.open(s, config, Clock.systemUTC()));
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }
}
