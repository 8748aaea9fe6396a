/**
 * The bank adapter contract and its ISO 8583, batch-file and HTTP implementations, each with its
 * bank's resilience policy. Built under its own issue; this module holds no code yet.
 */
package cn.onecard.adapters;
