package org.clusteripam.testkit.store;

import org.clusteripam.core.store.StateStore;

/** One backing (a directory, an etcd prefix, a memory map) that store instances are opened on. */
public interface StoreBacking extends AutoCloseable {

  /**
   * A new store instance on this backing. Where instances exclude each other, close the last one
   * first.
   */
  StateStore open();

  /** True when two open instances are separate clients of one backing (and can conflict). */
  boolean independentInstances();

  /** True when state survives closing every instance and opening a new one. */
  boolean durable();

  @Override
  void close();
}
