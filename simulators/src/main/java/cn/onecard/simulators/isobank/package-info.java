/**
 * An ISO 8583 bank host simulator: an agent bank's online core speaking one of the iso8583 module's
 * dialects (docs/simulators/iso-bank.md), with its own code so that it can disagree with the gateway's
 * adapter. Public: {@link cn.onecard.simulators.isobank.IsoBankHost}, its faults and ledger, and
 * {@link cn.onecard.simulators.isobank.ReferenceCodec}, the rule for the bank reference in field 37.
 */
package cn.onecard.simulators.isobank;
