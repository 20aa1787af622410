/** The daemon and CLI: wiring, configuration and lifecycle. An application: it exports nothing. */
// Micrometer and docker-java name their modules only in their manifests.
@SuppressWarnings("requires-automatic")
module org.clusteripam.daemon {
  requires org.clusteripam.core;
  requires org.clusteripam.etcd;
  requires org.clusteripam.docker;
  requires org.clusteripam.cni;
  requires org.clusteripam.dns;
  requires org.clusteripam.lb;
  requires info.picocli;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires jul.to.slf4j;
  requires java.logging;
  requires java.net.http;
  requires jdk.net;
  requires ch.qos.logback.classic;
  requires ch.qos.logback.core;
  requires micrometer.core;
  requires micrometer.registry.prometheus;
  requires com.github.dockerjava.transport;
  requires com.github.dockerjava.transport.httpclient5;
  requires jdk.httpserver;

  // picocli sets the commands' option fields by reflection.
  opens org.clusteripam.daemon to
      info.picocli;
  opens org.clusteripam.daemon.cli to
      info.picocli;
  opens org.clusteripam.daemon.serve to
      info.picocli;
  opens org.clusteripam.daemon.store to
      info.picocli;

  provides ch.qos.logback.classic.spi.Configurator with
      org.clusteripam.daemon.serve.LogConfigurator;
}
