/**
 * Per-host addressing (opt-in per network with {@code --ipam-opt addressing=per-host}): the swarm
 * manager's task addresses are placeholders from a reserved range of the pool, each node maps the
 * placeholder of a task it runs to an address of its own blocks, and every host's load balancer
 * sends a service's VIPs and its tasks' placeholders to the actual addresses. This package holds
 * the values of that design and the pure planning of each host's load balancer; the engine in
 * {@code core.engine} stores and serves them.
 */
package org.clusteripam.core.perhost;
