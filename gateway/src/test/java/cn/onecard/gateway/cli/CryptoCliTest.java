package cn.onecard.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.MacAlgorithm;
import cn.onecard.crypto.PinBlocks;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.SymmetricKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CryptoCliTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final String SM4_KEY = "0123456789abcdeffedcba9876543210";

    @TempDir
    Path directory;

    private CliRunner cli;

    @BeforeEach
    void setUp() {
        cli = new CliRunner(directory);
    }

    @Test
    void keygen_writesOpenSslStylePem_withThePrivateKeyReadableByItsOwnerOnly() throws IOException {
        CliRunner.Result result = cli.run("crypto", "keygen", "--private", "k.pem", "--public", "p.pem");

        assertThat(result.exitCode()).isZero();
        assertThat(Files.readString(directory.resolve("k.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(directory.resolve("p.pem"))).startsWith("-----BEGIN PUBLIC KEY-----");
        assertThat(Sm2PrivateKey.fromPem(Files.readString(directory.resolve("k.pem"))).publicKey().toPem())
                .isEqualTo(Files.readString(directory.resolve("p.pem")));
        if (Files.getFileStore(directory).supportsFileAttributeView("posix")) {
            assertThat(Files.getPosixFilePermissions(directory.resolve("k.pem")))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }
    }

    @Test
    void keygen_refusesToReplaceAKeyWithoutForce() throws IOException {
        cli.run("crypto", "keygen", "--private", "k.pem", "--public", "p.pem");
        String original = Files.readString(directory.resolve("k.pem"));

        CliRunner.Result refused = cli.run("crypto", "keygen", "--private", "k.pem", "--public", "p.pem");
        CliRunner.Result forced = cli.run("crypto", "keygen", "--private", "k.pem", "--public", "p.pem", "--force");

        assertOneLineRefusal(refused, 2, "exists; use --force");
        assertThat(forced.exitCode()).isZero();
        assertThat(Files.readString(directory.resolve("k.pem"))).isNotEqualTo(original);
    }

    @Test
    void keygen_thatCannotWriteThePublicKey_leavesTheExistingPrivateKeyAlone() throws IOException {
        cli.run("crypto", "keygen", "--private", "k.pem", "--public", "p.pem");
        String original = Files.readString(directory.resolve("k.pem"));

        CliRunner.Result result = cli.run("crypto", "keygen", "--force", "--private", "k.pem", "--public", "missing-dir/p.pem");

        assertOneLineRefusal(result, 2, "no such file");
        assertThat(Files.readString(directory.resolve("k.pem"))).isEqualTo(original);
        try (var files = Files.list(directory)) {
            assertThat(files.map(path -> path.getFileName().toString())).containsExactlyInAnyOrder("k.pem", "p.pem");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"der", "raw"})
    void signThenVerify_succeeds_andAnyChangeFailsWithExit1(String encoding) throws IOException {
        cli.run("crypto", "keygen", "--private", "k.pem", "--public", "p.pem");
        Files.writeString(directory.resolve("msg"), "{\"batchId\":\"B1\",\"totalAmountFen\":18000}");
        String[] raw = encoding.equals("raw") ? new String[]{"--raw"} : new String[0];

        CliRunner.Result signed = cli.run(concat(new String[]{"crypto", "sign", "--key", "k.pem", "--in", "msg", "--out", "sig"}, raw));
        CliRunner.Result verified = cli.run(concat(new String[]{"crypto", "verify", "--key", "p.pem", "--sig", "sig", "--in", "msg"}, raw));
        Files.writeString(directory.resolve("msg"), "{\"batchId\":\"B1\",\"totalAmountFen\":18001}");
        CliRunner.Result tampered = cli.run(concat(new String[]{"crypto", "verify", "--key", "p.pem", "--sig", "sig", "--in", "msg"}, raw));

        assertThat(signed.exitCode()).isZero();
        if (encoding.equals("raw")) {
            assertThat(Files.size(directory.resolve("sig"))).isEqualTo(64);
        }
        assertThat(verified.exitCode()).isZero();
        assertThat(verified.out()).isEqualTo("Verified OK\n");
        assertOneLineRefusal(tampered, 1, "signature does not verify");
    }

    @Test
    void verify_withAnotherId_failsWithExit1_andSignReadsStdin() throws IOException {
        cli.run("crypto", "keygen", "--private", "k.pem", "--public", "p.pem");
        CliRunner.Result signed = cli.runWithInput("payload".getBytes(), "crypto", "sign", "--key", "k.pem", "--id", "TREASURY-01");
        Files.write(directory.resolve("sig"), signed.stdout());
        Files.writeString(directory.resolve("msg"), "payload");

        assertThat(cli.run("crypto", "verify", "--key", "p.pem", "--sig", "sig", "--in", "msg", "--id", "TREASURY-01").exitCode()).isZero();
        assertThat(cli.run("crypto", "verify", "--key", "p.pem", "--sig", "sig", "--in", "msg").exitCode()).isEqualTo(1);
    }

    @Test
    void verify_malformedOrTruncatedSignature_isBadInputWithExit2() throws IOException {
        cli.run("crypto", "keygen", "--private", "k.pem", "--public", "p.pem");
        Files.writeString(directory.resolve("msg"), "x");
        cli.run("crypto", "sign", "--key", "k.pem", "--in", "msg", "--out", "sig");
        byte[] signature = Files.readAllBytes(directory.resolve("sig"));
        Files.write(directory.resolve("short.sig"), Arrays.copyOf(signature, 20));
        Files.write(directory.resolve("zero.sig"), new byte[64]);

        assertOneLineRefusal(cli.run("crypto", "verify", "--key", "p.pem", "--sig", "short.sig", "--in", "msg"), 2, "strict DER");
        assertOneLineRefusal(cli.run("crypto", "verify", "--key", "p.pem", "--sig", "zero.sig", "--in", "msg", "--raw"), 2,
                "outside [1, n-1]");
    }

    @Test
    void badKeyFiles_areOneLineRefusalsWithExit2() throws IOException {
        Files.writeString(directory.resolve("garbage.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        Files.writeString(directory.resolve("msg"), "x");

        assertOneLineRefusal(cli.run("crypto", "sign", "--key", "missing.pem", "--in", "msg"), 2, "no such file");
        assertOneLineRefusal(cli.run("crypto", "sign", "--key", "garbage.pem", "--in", "msg"), 2, "not a DER PKCS#8");
        Files.write(directory.resolve("huge.pem"), new byte[100_000]);
        assertOneLineRefusal(cli.run("crypto", "sign", "--key", "huge.pem", "--in", "msg"), 2, "larger than 64 KiB");
    }

    @Test
    void sm3_ofStdin_isTheStandardVector() {
        CliRunner.Result result = cli.runWithInput("abc".getBytes(StandardCharsets.US_ASCII), "crypto", "sm3");
        assertThat(result.out()).isEqualTo("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"ecb,,17,pkcs7", "ecb,,32,", "cbc,000102030405060708090a0b0c0d0e0f,1000,", "ctr,000102030405060708090a0b0c0d0e0f,1001,",
            "gcm,000102030405060708090a0b,1002,"})
    void sm4_encryptThenDecrypt_roundTrips(String mode, String iv, int length, String padding) {
        byte[] data = new byte[length];
        new Random(length).nextBytes(data);
        String[] ivArgs = iv == null ? new String[0] : new String[]{"--iv", iv};
        String[] paddingArgs = padding == null ? new String[0] : new String[]{"--padding", padding};

        CliRunner.Result encrypted = cli.runWithInput(data, concat(concat(
                new String[]{"crypto", "sm4", "encrypt", "--mode", mode, "--key", SM4_KEY}, ivArgs), paddingArgs));
        CliRunner.Result decrypted = cli.runWithInput(encrypted.stdout(), concat(concat(
                new String[]{"crypto", "sm4", "decrypt", "--mode", mode.toUpperCase(), "--key", SM4_KEY}, ivArgs), paddingArgs));

        assertThat(encrypted.exitCode()).as(encrypted.stderr()).isZero();
        assertThat(decrypted.exitCode()).as(decrypted.stderr()).isZero();
        assertThat(decrypted.stdout()).isEqualTo(data);
    }

    @Test
    void sm4_standardVector_throughTheCli() {
        CliRunner.Result result = cli.runWithInput(HEX.parseHex(SM4_KEY), "crypto", "sm4", "encrypt", "--mode", "ecb", "--key", SM4_KEY);
        assertThat(HEX.formatHex(result.stdout())).isEqualTo("681edf34d206965e86b3e94f536e4246");
    }

    @Test
    void sm4Gcm_tamperedCiphertext_exits1AndWritesNothing() {
        String nonce = "000102030405060708090a0b";
        byte[] sealed = cli.runWithInput(new byte[500], "crypto", "sm4", "encrypt", "--mode", "gcm", "--key", SM4_KEY, "--iv", nonce).stdout();
        sealed[100] ^= 1;

        CliRunner.Result result = cli.runWithInput(sealed, "crypto", "sm4", "decrypt", "--mode", "gcm", "--key", SM4_KEY, "--iv", nonce);

        assertOneLineRefusal(result, 1, "tag does not match");
        assertThat(result.stdout()).isEmpty();
    }

    @Test
    void sm4_badArguments_areOneLineRefusals() {
        assertOneLineRefusal(cli.run("crypto", "sm4", "encrypt", "--mode", "cbc", "--key", "0123"), 2, "SM4 key cannot be 2 bytes");
        assertOneLineRefusal(cli.run("crypto", "sm4", "encrypt", "--mode", "cbc", "--key", SM4_KEY), 2, "needs a 16-byte IV");
        assertOneLineRefusal(cli.run("crypto", "sm4", "encrypt", "--mode", "xts", "--key", SM4_KEY), 2, "--mode");
        assertOneLineRefusal(cli.run("crypto", "sm4", "scramble", "--mode", "ecb", "--key", SM4_KEY), 2, "scramble");
        assertOneLineRefusal(cli.runWithInput(new byte[3], "crypto", "sm4", "encrypt", "--mode", "ecb", "--key", SM4_KEY), 2,
                "whole 16-byte blocks");
        assertOneLineRefusal(cli.run("crypto", "sm4", "encrypt", "--mode", "gcm", "--key", SM4_KEY, "--iv", "zz"), 2, "hex");
    }

    @Test
    void failedCommand_leavesNoPartialFile_andKeepsAnExistingOne() throws IOException {
        Files.write(directory.resolve("odd.bin"), new byte[100_017]);
        Files.writeString(directory.resolve("previous.out"), "earlier result");

        CliRunner.Result fresh = cli.run("crypto", "sm4", "encrypt", "--mode", "ecb", "--key", SM4_KEY, "--in", "odd.bin", "--out", "new.out");
        CliRunner.Result overwrite = cli.run("crypto", "sm4", "encrypt", "--mode", "ecb", "--key", SM4_KEY, "--in", "odd.bin",
                "--out", "previous.out");

        assertOneLineRefusal(fresh, 2, "whole 16-byte blocks");
        assertOneLineRefusal(overwrite, 2, "whole 16-byte blocks");
        assertThat(directory.resolve("new.out")).doesNotExist();
        assertThat(Files.readString(directory.resolve("previous.out"))).isEqualTo("earlier result");
        try (var files = Files.list(directory)) {
            assertThat(files.map(path -> path.getFileName().toString())).containsExactlyInAnyOrder("odd.bin", "previous.out");
        }
    }

    @Test
    void sm4Gcm_decryptToAFile_appearsOnlyWhenTheTagVerifies() throws IOException {
        String nonce = "000102030405060708090a0b";
        byte[] data = new byte[200_000];
        new Random(9).nextBytes(data);
        byte[] sealed = cli.runWithInput(data, "crypto", "sm4", "encrypt", "--mode", "gcm", "--key", SM4_KEY, "--iv", nonce).stdout();
        Files.write(directory.resolve("good.gcm"), sealed);
        sealed[70_000] ^= 1;
        Files.write(directory.resolve("bad.gcm"), sealed);

        CliRunner.Result good = cli.run("crypto", "sm4", "decrypt", "--mode", "gcm", "--key", SM4_KEY, "--iv", nonce,
                "--in", "good.gcm", "--out", "good.bin");
        CliRunner.Result bad = cli.run("crypto", "sm4", "decrypt", "--mode", "gcm", "--key", SM4_KEY, "--iv", nonce,
                "--in", "bad.gcm", "--out", "bad.bin");

        assertThat(good.exitCode()).as(good.stderr()).isZero();
        assertThat(Files.readAllBytes(directory.resolve("good.bin"))).isEqualTo(data);
        assertOneLineRefusal(bad, 1, "tag does not match");
        assertThat(directory.resolve("bad.bin")).doesNotExist();
    }

    @Test
    void keyFile_keepsTheKeyOffTheCommandLine() throws IOException {
        Files.writeString(directory.resolve("mak.hex"), SM4_KEY + "\n");
        byte[] data = "0200".getBytes(StandardCharsets.US_ASCII);

        CliRunner.Result fromFile = cli.runWithInput(data, "crypto", "mac", "--alg", "sm4-cmac", "--key-file", "mak.hex");
        CliRunner.Result fromArgument = cli.runWithInput(data, "crypto", "mac", "--alg", "sm4-cmac", "--key", SM4_KEY);

        assertThat(fromFile.exitCode()).as(fromFile.stderr()).isZero();
        assertThat(fromFile.out()).isEqualTo(fromArgument.out());
        assertOneLineRefusal(cli.run("crypto", "mac", "--alg", "sm4-cmac", "--key", SM4_KEY, "--key-file", "mak.hex"), 2,
                "mutually exclusive");
        assertOneLineRefusal(cli.run("crypto", "mac", "--alg", "sm4-cmac", "--key-file", "/dev/zero"), 2, "larger than 64 KiB");
    }

    @Test
    void aStandardOutputThatCannotBeWritten_failsTheCommand() {
        java.io.OutputStream full = new java.io.OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        CliContext context = new CliContext(new java.io.ByteArrayInputStream("abc".getBytes()), new java.io.PrintStream(full, true),
                new java.io.PrintStream(err, true), Map.of(), directory);

        int exit = Cli.run(context, "crypto", "sm3");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("standard output could not be written");
    }

    @Test
    void sealThenOpen_throughStdinAndStdout_roundTrips() throws IOException {
        keyPairs();
        byte[] content = new byte[300_000];
        new Random(5).nextBytes(content);

        CliRunner.Result sealed = cli.runWithInput(content, "crypto", "seal", "--to", "bank.pub", "--sign-key", "treasury.key");
        CliRunner.Result opened = cli.runWithInput(sealed.stdout(), "crypto", "open", "--key", "bank.key", "--from", "treasury.pub");

        assertThat(sealed.exitCode()).as(sealed.stderr()).isZero();
        assertThat(opened.exitCode()).as(opened.stderr()).isZero();
        assertThat(opened.stdout()).isEqualTo(content);
    }

    @Test
    void open_refusals_exit1_orExit3ForOtherKeys_andLeaveNoFile() throws IOException {
        keyPairs();
        Files.write(directory.resolve("batch.csv"), new byte[100_000]);
        cli.run("crypto", "seal", "--to", "bank.pub", "--sign-key", "treasury.key", "--in", "batch.csv", "--out", "batch.ocev");
        byte[] sealed = Files.readAllBytes(directory.resolve("batch.ocev"));
        byte[] flipped = sealed.clone();
        flipped[sealed.length / 2] ^= 1;
        Files.write(directory.resolve("flipped.ocev"), flipped);

        assertOneLineRefusal(cli.run("crypto", "open", "--key", "treasury.key", "--from", "treasury.pub", "--in", "batch.ocev",
                "--out", "x1"), 3, "another recipient");
        assertOneLineRefusal(cli.run("crypto", "open", "--key", "bank.key", "--from", "bank.pub", "--in", "batch.ocev",
                "--out", "x2"), 3, "another sender");
        assertOneLineRefusal(cli.run("crypto", "open", "--key", "bank.key", "--from", "treasury.pub", "--in", "flipped.ocev",
                "--out", "x3"), 1, "tag");
        CliRunner.Result toStdout = cli.runWithInput(Arrays.copyOf(sealed, sealed.length - 1), "crypto", "open", "--key", "bank.key",
                "--from", "treasury.pub");
        assertOneLineRefusal(toStdout, 1, "truncated");
        assertThat(toStdout.stdout()).isEmpty();
        assertOneLineRefusal(cli.runWithInput("plain text".getBytes(), "crypto", "open", "--key", "bank.key", "--from", "treasury.pub"),
                1, "not a OneCard envelope");
        assertThat(directory.resolve("x1")).doesNotExist();
        assertThat(directory.resolve("x2")).doesNotExist();
        assertThat(directory.resolve("x3")).doesNotExist();
    }

    @Test
    void open_badUsageOrUnreadableInput_exits2() throws IOException {
        keyPairs();
        cli.runWithInput(new byte[10], "crypto", "seal", "--to", "bank.pub", "--sign-key", "treasury.key", "--out", "batch.ocev");

        assertOneLineRefusal(cli.run("crypto", "open", "--key", "bank.key", "--from", "treasury.pub", "--in", "missing.ocev"),
                2, "no such file");
        assertOneLineRefusal(cli.run("crypto", "open", "--key", "bank.pub", "--from", "treasury.pub", "--in", "batch.ocev"),
                2, "found PUBLIC KEY");
        assertOneLineRefusal(cli.run("crypto", "open", "--key", "bank.key", "--in", "batch.ocev"), 2, "--from");
    }

    /**
     * Every header byte of an envelope inverted in turn, and a byte in each later part: exit 1 (not as
     * sealed), except in the two key ids, where an alteration looks like an envelope for other keys: exit 3.
     */
    @Test
    void open_withAnyHeaderByteAltered_exits1_orExits3InTheKeyIds() throws IOException {
        keyPairs();
        cli.runWithInput("one item".getBytes(), "crypto", "seal", "--to", "bank.pub", "--sign-key", "treasury.key",
                "--label", "b.csv", "--out", "batch.ocev");
        byte[] sealed = Files.readAllBytes(directory.resolve("batch.ocev"));
        int keyIdsStart = 20;
        int keyIdsEnd = keyIdsStart + 32 + 32;
        int headerEnd = 92 + "b.csv".length() + 2 + 113;
        int chunkEnd = headerEnd + 4 + "one item".length() + 16;
        int signatureLength = (sealed[chunkEnd] & 0xff) << 8 | sealed[chunkEnd + 1] & 0xff;
        assertThat(chunkEnd + 2 + signatureLength).as("the layout this test assumes").isEqualTo(sealed.length);
        int[] afterTheHeader = {headerEnd, headerEnd + 3, headerEnd + 4, chunkEnd - 1, chunkEnd, chunkEnd + 1, chunkEnd + 2,
                sealed.length - 1};

        IntStream.concat(IntStream.range(0, headerEnd), IntStream.of(afterTheHeader)).forEach(offset -> {
            byte[] altered = sealed.clone();
            altered[offset] ^= (byte) 0xff;
            CliRunner.Result result = cli.runWithInput(altered, "crypto", "open", "--key", "bank.key", "--from", "treasury.pub");
            int expected = offset >= keyIdsStart && offset < keyIdsEnd ? 3 : 1;
            assertThat(result.exitCode()).as("byte %d of %d: %s", offset, sealed.length, result.stderr()).isEqualTo(expected);
            assertThat(result.stdout()).isEmpty();
        });
    }

    /** docs/crypto.md lists open's exit statuses; --help must say the same, word for word. */
    @Test
    void open_exitStatuses_inHelpAndInTheDocs_areTheSame() throws IOException {
        Path here = Path.of("").toAbsolutePath();
        Path docs = Stream.of(here.resolve("docs/crypto.md"), here.resolveSibling("docs").resolve("crypto.md"))
                .filter(Files::exists).findFirst().orElseThrow(() -> new AssertionError("docs/crypto.md not found from " + here));
        String page = Files.readString(docs, StandardCharsets.UTF_8);
        Map<String, String> documented = new LinkedHashMap<>();
        Matcher rows = Pattern.compile("^\\| ([0-9]) \\| (.+) \\|$", Pattern.MULTILINE)
                .matcher(page.substring(page.indexOf("\n## Command line")));
        while (rows.find()) {
            documented.put(rows.group(1), rows.group(2));
        }
        Map<String, String> inHelp = new LinkedHashMap<>();
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        CliContext context = new CliContext(InputStream.nullInputStream(), nowhere, nowhere, Map.of(), directory);
        Cli.commandLine(context).getSubcommands().get("crypto").getSubcommands().get("open")
                .getCommandSpec().usageMessage().exitCodeList().forEach((code, meaning) -> inHelp.put(code.strip(), meaning));

        assertThat(documented).containsOnlyKeys("0", "1", "2", "3").containsExactlyEntriesOf(inHelp);
        CliRunner.Result help = cli.run("crypto", "open", "--help");
        assertThat(help.out()).contains("Exit status:", "envelope refused", "not for these keys");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"pos-ecb-des,0123456789abcdef", "pos-ecb-des,0123456789abcdeffedcba9876543210", "pos-ecb-sm4," + SM4_KEY,
            "x919,0123456789abcdeffedcba9876543210", "sm4-cmac," + SM4_KEY})
    void mac_printsTheMacOfTheInput(String algorithm, String keyHex) {
        byte[] data = "0200 3000000000000".getBytes(StandardCharsets.US_ASCII);
        MacAlgorithm mac = MacAlgorithm.fromConfigName(algorithm);
        SymmetricKey key = SymmetricKey.fromHex(mac.keyAlgorithmFor(keyHex.length() / 2), keyHex);

        CliRunner.Result result = cli.runWithInput(data, "crypto", "mac", "--alg", algorithm, "--key", keyHex);

        assertThat(result.out()).isEqualTo(HEX.withUpperCase().formatHex(mac.compute(key, data)) + "\n");
    }

    @Test
    void mac_unknownAlgorithmOrWrongKey_isRefused() {
        assertOneLineRefusal(cli.run("crypto", "mac", "--alg", "crc32", "--key", SM4_KEY), 2, "unknown MAC algorithm");
        assertOneLineRefusal(cli.run("crypto", "mac", "--alg", "x919", "--key", "0123456789abcdef"), 2, "TDES key cannot be 8 bytes");
    }

    @Test
    void pinblock_encryptsTheFormat0Block_andReadsThePinFromStdin() {
        SymmetricKey key = SymmetricKey.fromHex(KeyAlgorithm.TDES, "0123456789abcdeffedcba9876543210");
        String expected = HEX.withUpperCase().formatHex(PinBlocks.encrypt(key, "5432101234567899", "1234".toCharArray())) + "\n";

        CliRunner.Result fromArgument = cli.run("crypto", "pinblock", "--pan", "5432101234567899", "--pin", "1234",
                "--key", "0123456789abcdeffedcba9876543210", "--alg", "3des");
        CliRunner.Result fromStdin = cli.runWithInput("1234\n".getBytes(), "crypto", "pinblock", "--pan", "5432101234567899",
                "--pin", "-", "--key", "0123456789abcdeffedcba9876543210", "--alg", "3des");
        CliRunner.Result sm4 = cli.run("crypto", "pinblock", "--pan", "5432101234567899", "--pin", "1234", "--key", SM4_KEY, "--alg", "sm4");

        assertThat(fromArgument.out()).isEqualTo(expected);
        assertThat(fromStdin.out()).isEqualTo(expected);
        assertThat(sm4.out().strip()).hasSize(32);
    }

    @Test
    void pinblock_badPinOrPan_isRefusedWithoutEchoingIt() {
        CliRunner.Result badPin = cli.run("crypto", "pinblock", "--pan", "5432101234567899", "--pin", "12a4", "--key", SM4_KEY, "--alg", "sm4");
        CliRunner.Result badPan = cli.run("crypto", "pinblock", "--pan", "54321", "--pin", "1234", "--key", SM4_KEY, "--alg", "sm4");
        assertOneLineRefusal(badPin, 2, "digits only");
        assertThat(badPin.stderr()).doesNotContain("12a4");
        assertOneLineRefusal(badPan, 2, "card number");
    }

    @Test
    void wrapKey_usesTheMasterKeyFromTheEnvironment() {
        CliRunner withMaster = new CliRunner(directory, Map.of("ONECARD_MASTER_KEY", "000102030405060708090a0b0c0d0e0f"));
        CliRunner.Result wrapped = withMaster.runWithInput((SM4_KEY + "\n").getBytes(), "crypto", "wrap-key", "--usage", "mak",
                "--algorithm", "sm4", "--label", "terminal-0001-mak");
        CliRunner.Result noMaster = cli.runWithInput((SM4_KEY + "\n").getBytes(), "crypto", "wrap-key", "--usage", "mak",
                "--algorithm", "sm4", "--label", "t");

        assertThat(wrapped.exitCode()).as(wrapped.stderr()).isZero();
        assertThat(wrapped.out()).startsWith("OCK1:MAK:SM4:terminal-0001-mak:").doesNotContainIgnoringCase(SM4_KEY);
        assertOneLineRefusal(noMaster, 2, "no master key configured");
    }

    @Test
    void unknownCommandsAndOptions_areOneLineRefusals() {
        assertOneLineRefusal(cli.run("crypto", "frobnicate"), 2, "frobnicate");
        assertOneLineRefusal(cli.run("crypto", "sm3", "--bogus"), 2, "--bogus");
        assertOneLineRefusal(cli.run("crypto", "sign"), 2, "--key");
    }

    private void keyPairs() {
        cli.run("crypto", "keygen", "--private", "bank.key", "--public", "bank.pub");
        cli.run("crypto", "keygen", "--private", "treasury.key", "--public", "treasury.pub");
    }

    static void assertOneLineRefusal(CliRunner.Result result, int exitCode, String reason) {
        assertThat(result.exitCode()).as("exit status; stderr: %s", result.stderr()).isEqualTo(exitCode);
        assertThat(result.stderr().lines()).as("stderr").hasSize(1);
        assertThat(result.stderr()).contains(reason).doesNotContain("\tat ").doesNotContain("Exception");
    }

    private static String[] concat(String[] first, String[] second) {
        String[] all = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }
}
