package org.clusteripam.docker.protocol;

import jakarta.json.bind.annotation.JsonbProperty;
import java.util.Map;

/** {@code /IpamDriver.ReleasePool} request body. */
public record ReleasePoolRequest(@JsonbProperty("PoolID") String poolId) {

  static final Map<String, FieldType> FIELDS = Map.of("PoolID", FieldType.STRING);
}
