package org.clusteripam.docker.protocol;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;

/** Error replies made outside {@link DriverProtocol}, e.g. by the HTTP layer. */
public final class ErrorReplies {
  /** Thread safe; shared by the protocol classes. */
  static final Jsonb JSONB = JsonbBuilder.create();

  private ErrorReplies() {}

  /** {@code {"Error": message}}, the message cleaned of control characters and bounded. */
  public static DriverReply of(String message) {
    String m =
        message == null || message.isBlank() ? "request refused" : ErrorMessages.printable(message);
    return new DriverReply(JSONB.toJson(new ErrorResponse(m)), true);
  }
}
