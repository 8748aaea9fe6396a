package cn.onecard.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

class MasterKeyTest {

    /** A test master key, never used outside tests. */
    private static final String TEST_MASTER_KEY_HEX = "000102030405060708090a0b0c0d0e0f";

    @TempDir
    Path directory;

    private final MasterKey master = MasterKey.fromEnvironment(Map.of(MasterKey.ENV_KEY_HEX, TEST_MASTER_KEY_HEX));

    @Test
    void wrapThenUnwrap_returnsTheSameKey() {
        SymmetricKey zonePinKey = SymmetricKey.generate(KeyAlgorithm.TDES);
        WrappedKey wrapped = master.wrap(zonePinKey, KeyUsage.PIN, "icbc-zpk-2026");

        SymmetricKey unwrapped = master.unwrap(WrappedKey.parse(wrapped.encode()), KeyUsage.PIN);

        assertThat(unwrapped.algorithm()).isEqualTo(KeyAlgorithm.TDES);
        assertThat(unwrapped.checkValue()).isEqualTo(zonePinKey.checkValue());
        assertThat(wrapped.encode()).startsWith("OCK1:PIK:TDES:icbc-zpk-2026:" + HexFormat.of().withUpperCase().formatHex(zonePinKey.checkValue()) + ":");
    }

    static Stream<Named<Long>> seeds() {
        return SeededCases.cases("key wrap round trip", 100);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void anyKeyOfAnyUsage_roundTripsThroughItsTextForm(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        KeyAlgorithm algorithm = KeyAlgorithm.values()[random.nextInt(KeyAlgorithm.values().length)];
        int length = algorithm == KeyAlgorithm.DES ? 8 : algorithm == KeyAlgorithm.SM4 ? 16 : random.nextBoolean() ? 16 : 24;
        SymmetricKey key = SymmetricKey.of(algorithm, SeededCases.bytes(random, length));
        KeyUsage usage = algorithm == KeyAlgorithm.DES ? KeyUsage.MAC : KeyUsage.values()[random.nextInt(KeyUsage.values().length)];
        String label = "key-" + random.nextInt(1_000_000) + "." + (char) ('a' + random.nextInt(26));

        String text = master.wrap(key, usage, label).encode();
        SymmetricKey back = master.unwrap(WrappedKey.parse(text), usage);

        assertThat(back.algorithm()).isEqualTo(algorithm);
        assertThat(back.lengthBytes()).isEqualTo(length);
        assertThat(back.material()).isEqualTo(key.material());
        assertThat(text).doesNotContainIgnoringCase(HexFormat.of().formatHex(key.material()));
    }

    @Test
    void unwrappedKey_isRestrictedToItsUsage() {
        WrappedKey wrapped = master.wrap(SymmetricKey.generate(KeyAlgorithm.SM4), KeyUsage.MAC, "mak");
        SymmetricKey mak = master.unwrap(wrapped, KeyUsage.MAC);
        assertThat(mak.usage()).contains(KeyUsage.MAC);
        assertThatThrownBy(() -> PinBlocks.encrypt(mak, "6217001234567890123", "1234".toCharArray()))
                .isInstanceOf(KeyUsageException.class);
        assertThatThrownBy(() -> master.wrap(mak, KeyUsage.PIN, "now-a-pin-key")).isInstanceOf(KeyUsageException.class);
        assertThatThrownBy(() -> master.wrap(SymmetricKey.generate(KeyAlgorithm.DES), KeyUsage.PIN, "des-pik"))
                .isInstanceOf(KeyUsageException.class);
    }

    @Test
    void unwrap_forAnotherUsage_isRefused() {
        WrappedKey mac = master.wrap(SymmetricKey.generate(KeyAlgorithm.SM4), KeyUsage.MAC, "terminal-0001-mak");
        assertThatThrownBy(() -> master.unwrap(mac, KeyUsage.PIN))
                .isInstanceOf(KeyUsageException.class).hasMessageContaining("MAC key, not a PIN key");
    }

    @Test
    void relabelledOrRetypedKeyText_failsItsTag() {
        String text = master.wrap(SymmetricKey.generate(KeyAlgorithm.SM4), KeyUsage.MAC, "terminal-0001-mak").encode();
        WrappedKey relabelled = WrappedKey.parse(text.replace("terminal-0001-mak", "terminal-0002-mak"));
        WrappedKey retyped = WrappedKey.parse(text.replace(":MAK:", ":PIK:"));

        assertThatThrownBy(() -> master.unwrap(relabelled, KeyUsage.MAC)).isInstanceOf(VerificationFailedException.class);
        assertThatThrownBy(() -> master.unwrap(retyped, KeyUsage.PIN)).isInstanceOf(VerificationFailedException.class);
    }

    @Test
    void unwrap_underAnotherMasterKey_fails() {
        WrappedKey wrapped = master.wrap(SymmetricKey.generate(KeyAlgorithm.SM4), KeyUsage.DATA, "file-key");
        MasterKey other = MasterKey.fromEnvironment(Map.of(MasterKey.ENV_KEY_HEX, "ffeeddccbbaa99887766554433221100"));
        assertThatThrownBy(() -> other.unwrap(wrapped, KeyUsage.DATA))
                .isInstanceOf(VerificationFailedException.class).hasMessageContaining("another master key");
    }

    @Test
    void malformedKeyText_isRefused() {
        assertThatThrownBy(() -> WrappedKey.parse("OCK1:PIK:TDES:label")).isInstanceOf(MalformedInputException.class);
        assertThatThrownBy(() -> WrappedKey.parse("OCK1:XXX:TDES:label:00000000:AAAA")).isInstanceOf(MalformedInputException.class);
        assertThatThrownBy(() -> WrappedKey.parse("OCK1:PIK:AES:label:00000000:AAAA")).isInstanceOf(MalformedInputException.class);
        assertThatThrownBy(() -> WrappedKey.parse("OCK1:PIK:SM4:bad label:00000000:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("label");
    }

    @Test
    void fromKeystore_readsTheSecretEntry_withPasswordFromAFile() throws Exception {
        Path keystore = directory.resolve("master.p12");
        char[] password = "test-keystore-password".toCharArray();
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setEntry(MasterKey.DEFAULT_ALIAS, new KeyStore.SecretKeyEntry(
                new SecretKeySpec(HexFormat.of().parseHex(TEST_MASTER_KEY_HEX), "AES")), new KeyStore.PasswordProtection(password));
        try (OutputStream out = Files.newOutputStream(keystore)) {
            store.store(out, password);
        }
        Path passwordFile = Files.writeString(directory.resolve("password"), "test-keystore-password\n");

        MasterKey fromStore = MasterKey.fromEnvironment(Map.of(
                MasterKey.ENV_KEYSTORE, keystore.toString(),
                MasterKey.ENV_KEYSTORE_PASSWORD_FILE, passwordFile.toString()));

        assertThat(fromStore.checkValue()).isEqualTo(master.checkValue());
        WrappedKey wrapped = master.wrap(SymmetricKey.generate(KeyAlgorithm.SM4), KeyUsage.TERMINAL_MASTER, "t-1");
        assertThat(fromStore.unwrap(wrapped, KeyUsage.TERMINAL_MASTER)).isNotNull();
    }

    @Test
    void keystoreMadeWithKeytool_asDocumented_isRead() throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path keystore = directory.resolve("master.p12");
        Process process = new ProcessBuilder(keytool.toString(), "-genseckey", "-alias", MasterKey.DEFAULT_ALIAS,
                "-keyalg", "AES", "-keysize", "128", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "test-keystore-password")
                .redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(new String(process.getInputStream().readAllBytes())).isZero();

        MasterKey fromKeytool = MasterKey.fromEnvironment(Map.of(
                MasterKey.ENV_KEYSTORE, keystore.toString(),
                MasterKey.ENV_KEYSTORE_PASSWORD, "test-keystore-password"));

        SymmetricKey key = SymmetricKey.generate(KeyAlgorithm.SM4);
        assertThat(fromKeytool.unwrap(fromKeytool.wrap(key, KeyUsage.ZONE_MASTER, "zmk"), KeyUsage.ZONE_MASTER).checkValue())
                .isEqualTo(key.checkValue());
    }

    @Test
    void wrongPasswordMissingFileOrNoConfiguration_areClearRefusals() throws Exception {
        assertThatThrownBy(() -> MasterKey.fromEnvironment(Map.of()))
                .isInstanceOf(KeyUsageException.class).hasMessageContaining("no master key configured");
        assertThatThrownBy(() -> MasterKey.fromEnvironment(Map.of(MasterKey.ENV_KEYSTORE, directory.resolve("absent.p12").toString(),
                MasterKey.ENV_KEYSTORE_PASSWORD, "x")))
                .isInstanceOf(KeyUsageException.class).hasMessageContaining("cannot be opened");
        assertThatThrownBy(() -> MasterKey.fromEnvironment(Map.of(MasterKey.ENV_KEYSTORE, "/some/where.p12")))
                .isInstanceOf(KeyUsageException.class).hasMessageContaining(MasterKey.ENV_KEYSTORE_PASSWORD_FILE);
        assertThatThrownBy(() -> MasterKey.fromEnvironment(Map.of(MasterKey.ENV_KEY_HEX, "abcd")))
                .isInstanceOf(KeyUsageException.class).hasMessageContaining("32 hex digits");
    }

    @Test
    void toStrings_showCheckValuesNeverKeys() {
        SymmetricKey key = SymmetricKey.fromHex(KeyAlgorithm.SM4, "00112233445566778899aabbccddeeff");
        assertThat(key.toString()).doesNotContainIgnoringCase("00112233445566778899aabbccddeeff").contains("kcv=");
        assertThat(master.toString()).doesNotContainIgnoringCase(TEST_MASTER_KEY_HEX);
        assertThat(master.wrap(key, KeyUsage.DATA, "k").toString()).doesNotContainIgnoringCase("00112233445566778899aabbccddeeff");
    }
}
