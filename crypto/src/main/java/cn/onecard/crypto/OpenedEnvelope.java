package cn.onecard.crypto;

/** An envelope opened in memory: its verified content and what it said about itself. */
public record OpenedEnvelope(EnvelopeInfo info, byte[] content) {
}
