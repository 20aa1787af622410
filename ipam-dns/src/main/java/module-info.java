/** DNS messages of the per-host resolver (RFC 1035 wire format). */
module org.clusteripam.dns {
  requires transitive org.clusteripam.core;

  exports org.clusteripam.dns;
}
