/**
 * The other parties, for integration testing: the population of card holders and its feeds
 * ({@code population}), the treasury ({@code treasury}), the file banks ({@code filebank}), the load
 * driver and the command line ({@link cn.onecard.simulators.SimulatorsMain}). They depend on iso8583
 * and crypto only, never on the gateway or the adapters, so that a simulator can disagree with us.
 */
package cn.onecard.simulators;
