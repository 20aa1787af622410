package org.clusteripam.docker.protocol;

import jakarta.json.bind.annotation.JsonbProperty;
import java.util.Map;

/** {@code /IpamDriver.RequestAddress} success: {@code Address} is {@code ip/prefix-length}. */
public record RequestAddressResponse(
    @JsonbProperty("Address") String address, @JsonbProperty("Data") Map<String, String> data) {}
