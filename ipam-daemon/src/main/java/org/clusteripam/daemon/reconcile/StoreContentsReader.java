package org.clusteripam.daemon.reconcile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.clusteripam.core.ipam.AddressSpaces;
import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.ipam.PoolId;
import org.clusteripam.core.net.IpAddress;
import org.clusteripam.core.reconcile.StoreView;
import org.clusteripam.core.reconcile.StoredAddress;
import org.clusteripam.core.reconcile.StoredPool;
import org.clusteripam.core.state.Allocation;
import org.clusteripam.core.store.StateStore;
import org.clusteripam.daemon.store.StoreContents;

/**
 * {@link StoreReader} over the stored records. Pools are named as Docker knows them on this host:
 * by the local address space ({@code <local space>/<cidr>}, the engine's pool id format).
 */
public final class StoreContentsReader implements StoreReader {
  private final StateStore store;
  private final AddressSpaces spaces;

  public StoreContentsReader(StateStore store, AddressSpaces spaces) {
    this.store = store;
    this.spaces = spaces;
  }

  @Override
  public StoreView read(long revision, HostId host) {
    return view(StoreContents.read(store), revision, host, spaces);
  }

  static StoreView view(StoreContents c, long revision, HostId host, AddressSpaces spaces) {
    List<StoredPool> pools = new ArrayList<>();
    List<StoredAddress> addresses = new ArrayList<>();
    for (StoreContents.Pool p : c.pools()) {
      pools.add(new StoredPool(localId(spaces, p.record().prefix()), p.record().prefix(), p.holders().containsKey(host.value()),
          p.modRevisionFor(host.value())));
    }
    for (StoreContents.Block b : c.blocks()) {
      PoolId id = localId(spaces, b.record().pool());
      for (Map.Entry<IpAddress, Allocation> a : b.record().allocations().entrySet()) {
        addresses.add(new StoredAddress(id, a.getKey(), a.getValue().holders(), b.modRevision(), a.getValue().sinceMillis(),
            a.getValue().kind() == org.clusteripam.core.ipam.AddressKind.GATEWAY));
      }
    }
    return new StoreView(revision, pools, addresses);
  }

  public static PoolId localId(AddressSpaces spaces, org.clusteripam.core.net.IpPrefix prefix) {
    return new PoolId(spaces.local() + "/" + prefix);
  }
}
