/**
 * An HTTP bank simulator: an agent bank's HTTP/JSON API in the profile of docs/http-bank.md, on
 * WireMock over HTTPS (docs/simulators/http-bank.md), with its own code so that it can disagree with
 * the gateway's adapter. Public: {@link cn.onecard.simulators.httpbank.HttpBankHost}, its faults,
 * ledger and control JSON, and {@link cn.onecard.simulators.httpbank.ServerCertificate}.
 */
package cn.onecard.simulators.httpbank;
