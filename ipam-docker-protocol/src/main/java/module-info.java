/**
 * Docker's remote IPAM driver protocol. The API is the plugin server and a client that speaks to a
 * plugin socket as dockerd does; the protocol package (request and reply records, Docker's labels,
 * the call trace) is this module's own.
 */
module org.clusteripam.docker {
  requires transitive org.clusteripam.core;
  requires transitive io.netty.transport; // the client takes a shared event loop group
  requires io.netty.buffer;
  requires io.netty.common;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires jakarta.json;
  requires jakarta.json.bind;

  exports org.clusteripam.docker.server;
  exports org.clusteripam.docker.client;

  // JSON-B reads and writes the request and reply records; its provider (Yasson) is found at run
  // time, so the package is opened to whichever implementation that is.
  opens org.clusteripam.docker.protocol;
}
