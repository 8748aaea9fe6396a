package cn.onecard.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every parser, given mutated and random input, either accepts it or refuses it with a
 * {@link CryptoException}: never another exception, never a hang. Mutations start from valid
 * inputs (bit flips, cuts, splices, duplicated ranges, length fields set to extremes), so that they
 * reach deep into each format rather than dying at its first byte.
 */
class HostileInputTest {

    private static final Sm2KeyPair TREASURY = Sm2.generateKeyPair();
    private static final Sm2KeyPair BANK = Sm2.generateKeyPair();
    private static final byte[] ENVELOPE = new EnvelopeSealer(java.time.Clock.systemUTC(), 256)
            .seal(new byte[700], BANK.publicKey(), TREASURY.privateKey(), "fuzz");
    private static final byte[] SIGNATURE = TREASURY.privateKey().sign(new byte[]{1, 2, 3});
    private static final byte[] SM2_CIPHERTEXT = BANK.publicKey().encrypt(new byte[16]);
    private static final byte[] SM2_DER_CIPHERTEXT = BANK.publicKey().encrypt(new byte[16], Sm2CiphertextLayout.DER);
    private static final MasterKey MASTER = MasterKey.of(SymmetricKey.generate(KeyAlgorithm.SM4));
    private static final String WRAPPED = MASTER.wrap(SymmetricKey.generate(KeyAlgorithm.SM4), KeyUsage.MAC, "mak-1").encode();

    static Stream<Named<Long>> seeds() {
        return SeededCases.cases("hostile input", 300);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void envelopeOpener_refusesOrAccepts_neverCrashes(long seed) {
        assertOnlyCryptoRefusals(mutate(ENVELOPE, new SplittableRandom(seed)),
                input -> new EnvelopeOpener().open(input, BANK.privateKey(), TREASURY.publicKey()));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void keyParsers_refuseOrAccept_neverCrash(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] privateDer = mutate(TREASURY.privateKey().encoded(), random);
        byte[] publicDer = mutate(TREASURY.publicKey().encoded(), random);
        assertOnlyCryptoRefusals(privateDer, Sm2PrivateKey::fromEncoded);
        assertOnlyCryptoRefusals(publicDer, Sm2PublicKey::fromEncoded);
        assertOnlyCryptoRefusals(privateDer, der -> Sm2PrivateKey.fromPem(pem("PRIVATE KEY", der)));
        assertOnlyCryptoRefusals(mutate(TREASURY.privateKey().toPem().getBytes(StandardCharsets.US_ASCII), random),
                text -> Sm2PrivateKey.fromPem(new String(text, StandardCharsets.ISO_8859_1)));
        assertOnlyCryptoRefusals(mutate(TREASURY.publicKey().toHex().getBytes(StandardCharsets.US_ASCII), random),
                text -> Sm2PublicKey.fromHex(new String(text, StandardCharsets.ISO_8859_1)));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void signatureAndCiphertextDecoders_refuseOrAccept_neverCrash(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        assertOnlyCryptoRefusals(mutate(SIGNATURE, random), signature -> TREASURY.publicKey().verify(new byte[]{1, 2, 3}, signature));
        assertOnlyCryptoRefusals(mutate(SM2_CIPHERTEXT, random), BANK.privateKey()::decrypt);
        assertOnlyCryptoRefusals(mutate(SM2_DER_CIPHERTEXT, random), input -> BANK.privateKey().decrypt(input, Sm2CiphertextLayout.DER));
        assertOnlyCryptoRefusals(mutate(WRAPPED.getBytes(StandardCharsets.US_ASCII), random),
                text -> MASTER.unwrap(WrappedKey.parse(new String(text, StandardCharsets.ISO_8859_1)), KeyUsage.MAC));
    }

    private static void assertOnlyCryptoRefusals(byte[] input, Consumer<byte[]> parser) {
        try {
            parser.accept(input);
        } catch (CryptoException refusal) {
            assertThat(refusal.getMessage()).isNotBlank();
        }
    }

    /** One to four mutations of {@code valid}, or occasionally plain random bytes. */
    static byte[] mutate(byte[] valid, SplittableRandom random) {
        if (random.nextInt(20) == 0) {
            return SeededCases.bytes(random, random.nextInt(0, 2 * valid.length + 1));
        }
        byte[] data = valid.clone();
        for (int round = random.nextInt(1, 5); round > 0; round--) {
            if (data.length == 0) {
                return data;
            }
            int position = random.nextInt(data.length);
            switch (random.nextInt(6)) {
                case 0 -> data[position] ^= (byte) (1 << random.nextInt(8));
                case 1 -> data[position] = (byte) new int[]{0x00, 0x7f, 0x80, 0xff}[random.nextInt(4)];
                case 2 -> data = Arrays.copyOf(data, position);
                case 3 -> {
                    byte[] longer = Arrays.copyOf(data, data.length + random.nextInt(1, 64));
                    System.arraycopy(data, position, longer, longer.length - (data.length - position), data.length - position);
                    data = longer;
                }
                case 4 -> {
                    int length = Math.min(data.length - position, random.nextInt(1, 16));
                    byte[] repeated = new byte[data.length + length];
                    System.arraycopy(data, 0, repeated, 0, position + length);
                    System.arraycopy(data, position, repeated, position + length, data.length - position);
                    data = repeated;
                }
                default -> {
                    if (position + 2 <= data.length) {
                        data[position] = (byte) 0xff;
                        data[position + 1] = (byte) 0xff;
                    }
                }
            }
        }
        return data;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
