package cn.onecard.crypto;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing (Jazzer) of everything that parses outside input. In the normal test run
 * each target runs its built-in and stored inputs once; with JAZZER_FUZZ=1 and one target selected
 * (-Dtest='ParserFuzzTest#envelopeEdits') it fuzzes for the given time. The property: the input is
 * accepted, or refused with a CryptoException; nothing else escapes, nothing hangs.
 */
class ParserFuzzTest {

    private static final Sm2KeyPair TREASURY = Sm2.generateKeyPair();
    private static final Sm2KeyPair BANK = Sm2.generateKeyPair();
    private static final MasterKey MASTER = MasterKey.of(SymmetricKey.generate(KeyAlgorithm.SM4));
    /** Three 256-byte chunks and a label: every region of the format is there to be edited. */
    private static final byte[] ENVELOPE = new EnvelopeSealer(Clock.systemUTC(), 256)
            .seal(new byte[600], BANK.publicKey(), TREASURY.privateKey(), "fuzz");

    /** Arbitrary bytes: mostly exercises the header checks. */
    @FuzzTest(maxDuration = "60s")
    void envelopeOpener(byte[] input) {
        openQuietly(input);
    }

    /** Edits of a valid envelope (bytes set, cuts, insertions): reaches chunks, tags and the signature. */
    @FuzzTest(maxDuration = "60s")
    void envelopeEdits(FuzzedDataProvider data) {
        byte[] envelope = ENVELOPE.clone();
        int edits = data.consumeInt(0, 8);
        for (int i = 0; i < edits && envelope.length > 0; i++) {
            int position = data.consumeInt(0, envelope.length - 1);
            switch (data.consumeInt(0, 2)) {
                case 0 -> envelope[position] = data.consumeByte();
                case 1 -> envelope = Arrays.copyOf(envelope, position);
                default -> {
                    byte[] inserted = data.consumeBytes(data.consumeInt(1, 300));
                    byte[] longer = new byte[envelope.length + inserted.length];
                    System.arraycopy(envelope, 0, longer, 0, position);
                    System.arraycopy(inserted, 0, longer, position, inserted.length);
                    System.arraycopy(envelope, position, longer, position + inserted.length, envelope.length - position);
                    envelope = longer;
                }
            }
        }
        openQuietly(envelope);
    }

    @FuzzTest(maxDuration = "60s")
    void keysSignaturesAndCiphertexts(FuzzedDataProvider data) {
        int target = data.consumeInt(0, 6);
        byte[] bytes = data.consumeRemainingAsBytes();
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        try {
            switch (target) {
                case 0 -> Sm2PrivateKey.fromEncoded(bytes);
                case 1 -> Sm2PublicKey.fromEncoded(bytes);
                case 2 -> Sm2PrivateKey.fromPem(text);
                case 3 -> TREASURY.publicKey().verify(new byte[]{1}, bytes);
                case 4 -> BANK.privateKey().decrypt(bytes);
                case 5 -> BANK.privateKey().decrypt(bytes, Sm2CiphertextLayout.DER);
                default -> MASTER.unwrap(WrappedKey.parse(text), KeyUsage.MAC);
            }
        } catch (CryptoException expected) {
            // a refusal is the right answer to garbage
        }
    }

    private static void openQuietly(byte[] envelope) {
        try {
            new EnvelopeOpener().open(envelope, BANK.privateKey(), TREASURY.publicKey());
        } catch (CryptoException expected) {
            // a refusal is the right answer to garbage
        }
    }
}
