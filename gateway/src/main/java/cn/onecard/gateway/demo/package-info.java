/**
 * The gateway's side of a simulated world (the simulators' {@code run}): the keys it makes for
 * itself and the settings it reads from {@code world.json}. Used by {@code ./onecard demo} and by
 * the end-to-end tests, so that both configure a gateway the same way.
 */
package cn.onecard.gateway.demo;
