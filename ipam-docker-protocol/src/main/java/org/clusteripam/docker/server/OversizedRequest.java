package org.clusteripam.docker.server;

/** Stands in the pipeline for a request whose body was too large and is being discarded. */
record OversizedRequest(boolean keepAlive) {}
