/** The CNI IPAM plugin protocol: network config and CNI_* environment in, versioned results out. */
module org.clusteripam.cni {
  requires transitive org.clusteripam.core;
  // The handler's results carry Jackson trees (routes, dns) taken from the network config.
  requires transitive com.fasterxml.jackson.databind;

  exports org.clusteripam.cni;
}
