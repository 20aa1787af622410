package org.clusteripam.docker.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The JSON body answering one call (always sent with HTTP 200).
 *
 * @param json the body: a success shape, or {@code {"Error":"..."}}
 * @param error true when the call was refused
 */
public record DriverReply(String json, boolean error) {
  public byte[] bytes() {
    return json.getBytes(StandardCharsets.UTF_8);
  }
}
