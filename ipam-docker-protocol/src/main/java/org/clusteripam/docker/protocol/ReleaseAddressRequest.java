package org.clusteripam.docker.protocol;

import jakarta.json.bind.annotation.JsonbProperty;
import java.util.Map;

/** {@code /IpamDriver.ReleaseAddress} request body. */
public record ReleaseAddressRequest(
    @JsonbProperty("PoolID") String poolId, @JsonbProperty("Address") String address) {

  static final Map<String, FieldType> FIELDS =
      Map.of("PoolID", FieldType.STRING, "Address", FieldType.STRING);
}
