package org.clusteripam.docker.protocol;

import jakarta.json.bind.annotation.JsonbProperty;
import java.util.Map;

/** {@code /IpamDriver.RequestAddress} request body; {@code Address} is empty for "any address". */
public record RequestAddressRequest(
    @JsonbProperty("PoolID") String poolId,
    @JsonbProperty("Address") String address,
    @JsonbProperty("Options") Map<String, String> options) {

  static final Map<String, FieldType> FIELDS =
      Map.of(
          "PoolID", FieldType.STRING, "Address", FieldType.STRING, "Options", FieldType.STRING_MAP);
}
