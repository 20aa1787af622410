package org.clusteripam.docker.protocol;

import jakarta.json.bind.annotation.JsonbProperty;
import java.util.List;

/** {@code /Plugin.Activate} answer (legacy v1 plugins only; managed plugins are not asked). */
public record ActivateResponse(@JsonbProperty("Implements") List<String> implementedInterfaces) {
  public static final ActivateResponse IPAM_DRIVER = new ActivateResponse(List.of("IpamDriver"));
}
