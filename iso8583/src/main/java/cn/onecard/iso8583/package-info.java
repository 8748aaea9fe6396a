/**
 * ISO 8583 toolkit: message specs as data (jPOS packagers underneath), Netty framing codecs, a
 * client with request matching and a terminal server, with MAC hooks into the crypto module.
 * Built under its own issue; this module holds no code yet.
 */
package cn.onecard.iso8583;
