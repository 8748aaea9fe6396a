/**
 * The other parties, for integration testing: bank hosts of each kind, the treasury, EPOS
 * terminals and load drivers. They depend on iso8583 and crypto only, never on the gateway, so
 * that a simulator can disagree with us. Built under later issues; no code yet.
 */
package cn.onecard.simulators;
