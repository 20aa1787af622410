package org.clusteripam.docker.protocol;

/**
 * Docker's names in the IPAM driver protocol, in one place (moby keeps them in {@code
 * ipamapi/labels.go} and {@code netlabel}). Only this module reads or writes them: it turns them
 * into the typed fields of the engine's requests and grants, so the engine never sees a Docker
 * string.
 */
public final class DockerLabels {
  private DockerLabels() {}

  /**
   * RequestAddress option naming why the address is asked for; swarm also leaks it into RequestPool
   * options.
   */
  public static final String REQUEST_ADDRESS_TYPE = "RequestAddressType";

  /**
   * {@code netlabel.Gateway}: the {@link #REQUEST_ADDRESS_TYPE} value of a gateway request, and the
   * RequestPool {@code Data} key through which a driver tells dockerd the pool's gateway.
   */
  public static final String GATEWAY = "com.docker.network.gateway";

  /**
   * {@code ipamapi.AllocSerialPrefix}: RequestAddress option asking for serial allocation (swarm's
   * allocator).
   */
  public static final String SERIAL = "com.docker.network.ipam.serial";

  /** Whether {@link #SERIAL} asks for serial allocation. */
  public static boolean serial(String value) {
    return "true".equalsIgnoreCase(value);
  }
}
