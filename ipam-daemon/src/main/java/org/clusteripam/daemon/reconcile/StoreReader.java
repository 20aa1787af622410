package org.clusteripam.daemon.reconcile;

import org.clusteripam.core.ipam.HostId;
import org.clusteripam.core.reconcile.LeakDecider;
import org.clusteripam.core.reconcile.StoreView;

/** Reads the store into the shape {@link LeakDecider} compares. */
public interface StoreReader {
  /** The pools and addresses now, labelled with {@code revision} (taken by the caller before reading Docker). */
  StoreView read(long revision, HostId host);
}
