package org.clusteripam.docker.protocol;

import jakarta.json.bind.annotation.JsonbProperty;

/** {@code /IpamDriver.GetCapabilities} answer. */
public record CapabilitiesResponse(
    @JsonbProperty("RequiresMACAddress") boolean requiresMacAddress,
    @JsonbProperty("RequiresRequestReplay") boolean requiresRequestReplay) {

  /**
   * No MAC needed; replay required so that dockerd re-sends every local network's pool and gateway
   * at start, which the engine answers idempotently.
   */
  public static final CapabilitiesResponse CLUSTER_IPAM = new CapabilitiesResponse(false, true);
}
