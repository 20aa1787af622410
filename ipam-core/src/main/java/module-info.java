/**
 * The pure core: address math, carving, blocks, the engine and its facets, the store SPI and the
 * reconciliation and planning decisions. Every package but the state layout is API.
 */
module org.clusteripam.core {
  requires com.google.common;
  requires com.fasterxml.jackson.databind;

  exports org.clusteripam.core.net;
  exports org.clusteripam.core.ipam;
  exports org.clusteripam.core.store;
  exports org.clusteripam.core.engine;
  // The AddressPolicy extension point (examples/ implements one); its carving classes ride along.
  exports org.clusteripam.core.alloc;
  exports org.clusteripam.core.cni;
  exports org.clusteripam.core.perhost;
  exports org.clusteripam.core.plan;
  exports org.clusteripam.core.reconcile;
// The stored layout and its codecs (org.clusteripam.core.state) are core's own: every reader
// outside core reads the read model (IpamQueries), so the package is not exported.
}
