/**
 * The bank adapter contract ({@link cn.onecard.adapters.BankAdapter}) that every kind of agent bank
 * implements, and its implementations: batch-file banks now, ISO 8583 and HTTP online banks next.
 * A bank's layout, code table and transport are configuration; the gateway treats every bank alike
 * through this contract and its {@link cn.onecard.adapters.BankCapabilities}.
 */
package cn.onecard.adapters;
