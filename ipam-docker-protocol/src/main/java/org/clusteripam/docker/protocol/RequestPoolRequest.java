package org.clusteripam.docker.protocol;

import jakarta.json.bind.annotation.JsonbProperty;
import java.util.Map;

/** {@code /IpamDriver.RequestPool} request body, with Docker's field names. */
public record RequestPoolRequest(
    @JsonbProperty("AddressSpace") String addressSpace,
    @JsonbProperty("Pool") String pool,
    @JsonbProperty("SubPool") String subPool,
    @JsonbProperty("Options") Map<String, String> options,
    @JsonbProperty("V6") Boolean v6) {

  static final Map<String, FieldType> FIELDS =
      Map.of(
          "AddressSpace", FieldType.STRING,
          "Pool", FieldType.STRING,
          "SubPool", FieldType.STRING,
          "Options", FieldType.STRING_MAP,
          "V6", FieldType.BOOLEAN);
}
