package org.clusteripam.daemon.cli;

import org.clusteripam.core.ipam.HostId;
import org.clusteripam.daemon.reconcile.DockerApi;
import picocli.CommandLine.Option;

/** This node's identity and its Docker, for commands that compare Docker with the store. */
final class NodeOptions {
  @Option(
      names = "--node-id",
      defaultValue = "${env:IPAM_NODE_ID}",
      description = "This host's id (env IPAM_NODE_ID). Default: the host name.")
  String nodeId;

  @Option(
      names = "--docker-host",
      defaultValue = "${env:IPAM_DOCKER_HOST:-unix:///var/run/docker.sock}",
      description = "Docker Engine API (env IPAM_DOCKER_HOST). Default: ${DEFAULT-VALUE}.")
  String dockerHost;

  @Option(
      names = "--driver-name",
      defaultValue = "${env:IPAM_DRIVER_NAME:-cluster-ipam}",
      description =
          "IPAM driver name of our networks (env IPAM_DRIVER_NAME). Default: ${DEFAULT-VALUE}.")
  String driverName;

  HostId node() {
    return new HostId(
        nodeId == null || nodeId.isBlank()
            ? org.clusteripam.daemon.serve.ServeCommand.hostName()
            : nodeId.strip());
  }

  DockerApi docker() {
    return new DockerApi(dockerHost, driverName);
  }
}
