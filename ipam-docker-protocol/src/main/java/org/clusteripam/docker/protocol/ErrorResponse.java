package org.clusteripam.docker.protocol;

import jakarta.json.bind.annotation.JsonbProperty;

/** Any failure: HTTP 200 with {@code {"Error": msg}}; Docker shows it as {@code remote: msg}. */
public record ErrorResponse(@JsonbProperty("Error") String error) {}
