package org.clusteripam.docker.protocol;

import jakarta.json.bind.annotation.JsonbProperty;

/** {@code /IpamDriver.GetDefaultAddressSpaces} answer. */
public record AddressSpacesResponse(
    @JsonbProperty("LocalDefaultAddressSpace") String local,
    @JsonbProperty("GlobalDefaultAddressSpace") String global) {}
