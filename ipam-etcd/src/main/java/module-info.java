/** The store SPI on etcd ({@code EtcdStateStore}) and on a local file ({@code FileStateStore}). */
// jetcd-core 0.8.7 declares no module name: it is required by the name derived from its file name
// (jetcd.core), so a rename of that jar is a compile error here, not a silent change.
@SuppressWarnings("requires-automatic")
module org.clusteripam.etcd {
  requires transitive org.clusteripam.core;
  requires jetcd.core;
  requires io.grpc;
  requires io.grpc.stub;
  requires io.netty.handler;

  exports org.clusteripam.etcd;
  exports org.clusteripam.etcd.file;
}
