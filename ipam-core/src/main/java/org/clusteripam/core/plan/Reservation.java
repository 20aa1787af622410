package org.clusteripam.core.plan;

import java.math.BigInteger;

/**
 * Addresses taken out of a plan before containers get any, with the reason.
 *
 * @param scope where they are taken: "per network" or "per host block"
 * @param count how many addresses
 * @param reason why, in words an operator understands
 */
public record Reservation(String scope, BigInteger count, String reason) {}
