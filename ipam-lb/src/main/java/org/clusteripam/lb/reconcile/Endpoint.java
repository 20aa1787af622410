package org.clusteripam.lb.reconcile;

import org.clusteripam.core.net.IpAddress;

/** What identifies a destination inside a service. */
record Endpoint(IpAddress address, int port) {}
