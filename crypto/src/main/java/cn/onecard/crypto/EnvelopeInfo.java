package cn.onecard.crypto;

import java.time.Instant;

/**
 * What an envelope says about itself, all of it covered by the sender's signature.
 *
 * @param label        the sender's name for the content (a file name, a batch id); may be empty
 * @param sealedAt     when the sender sealed it, by the sender's clock
 * @param contentBytes length of the content
 */
public record EnvelopeInfo(String label, Instant sealedAt, long contentBytes) {
}
