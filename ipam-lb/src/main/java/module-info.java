/** Per-host IPVS load balancing and routes over generic netlink. */
// JNR-FFI names its module only in its manifest; JnrNetlinkTransport.LibC, the interface it
// implements at run time, takes its Pointer type.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module org.clusteripam.lb {
  requires transitive org.clusteripam.core;
  requires transitive org.jnrproject.ffi;

  exports org.clusteripam.lb;
  exports org.clusteripam.lb.perhost;
  exports org.clusteripam.lb.reconcile;
  exports org.clusteripam.lb.route;
  // The transport seam: Ipvs.open and Routes.open take a NetlinkTransport (tests hand in a fake
  // kernel); JNR-FFI implements the libc interface in it at run time.
  exports org.clusteripam.lb.netlink;
}
