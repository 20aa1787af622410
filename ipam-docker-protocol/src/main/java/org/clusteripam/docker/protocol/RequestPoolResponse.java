package org.clusteripam.docker.protocol;

import jakarta.json.bind.annotation.JsonbProperty;
import java.util.Map;

/**
 * {@code /IpamDriver.RequestPool} success: the id Docker sends back later, the CIDR, extra data.
 */
public record RequestPoolResponse(
    @JsonbProperty("PoolID") String poolId,
    @JsonbProperty("Pool") String pool,
    @JsonbProperty("Data") Map<String, String> data) {}
