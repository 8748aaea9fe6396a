package cn.onecard.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.Sm3;
import cn.onecard.gateway.testing.Await;
import cn.onecard.gateway.testing.GatewayNode;
import cn.onecard.gateway.testing.SimulatedWorld;
import cn.onecard.gateway.testing.Walls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The main job against the other parties in their own process: the treasury's batches, by API and
 * as sealed files, paid through both file banks over SFTP and reported back; the treasury audits the
 * callbacks with the exact codes of docs/codes.md and the banks' own ledgers show every payment once.
 */
class PaymentEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PERIOD = "202611";
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(90);

    private static SimulatedWorld world;
    private static GatewayNode gateway;

    @BeforeAll
    static void startWorld() {
        world = SimulatedWorld.start(20261123L, 20_000);
        gateway = world.startGateway(world.newDataDir("main"), Map.of());
    }

    @AfterAll
    static void stopWorld() {
        if (world != null) {
            world.close();
        }
    }

    private static Set<String> kindsMade(JsonNode submitted) {
        return new TreeSet<>(submitted.get("kinds").propertyNames());
    }

    @Test
    void batchByApi_isPaidThroughBothBanks_andEveryBadItemIsStoppedWithItsExactCode() {
        JsonNode submitted = world.submit(gateway, "api", "P29", PERIOD, 240, 0.3, 11);
        String batchId = submitted.get("batchId").asString();
        assertThat(submitted.get("httpStatus").asInt()).isEqualTo(202);

        Walls.awaitSettled(gateway, batchId, SETTLE_TIMEOUT);
        Walls.Accounting accounting = Walls.assertAccountedForOnce(world, gateway, batchId);

        assertThat(kindsMade(submitted)).as("the treasury made every kind that applies to a first person-programme batch")
                .containsAll(Set.of("GOOD", "ID_CHECKSUM", "ID_BIRTH_DATE", "CARD_LUHN", "CARD_UNKNOWN_BIN",
                        "AMOUNT_NOT_POSITIVE", "AMOUNT_OVER_CAP", "CARD_STATE", "PERSON_DECEASED", "PERSON_BLOCKED",
                        "DUPLICATE_IN_BATCH", "BANK_ACCOUNT_STATE", "BANK_NAME_MISMATCH"));
        kindsMetExactly(accounting.treasuryReport(), submitted);
        assertThat(accounting.paidCountByBank()).as("both banks paid").allSatisfy((bank, paid) -> assertThat(paid).isPositive());
        assertThat(accounting.count("FAILED")).as("bank-side faults failed at the bank")
                .isEqualTo(submitted.at("/kinds/BANK_ACCOUNT_STATE").asLong() + submitted.at("/kinds/BANK_NAME_MISMATCH").asLong());
        assertThat(accounting.count("HELD")).isEqualTo(submitted.at("/kinds/DUPLICATE_IN_BATCH").asLong());
        assertThat(accounting.batch().get("state").asString()).as("held items wait for an operator").isEqualTo("AWAITING_REVIEW");
    }

    /** Each kind's items all met the expectation, with the exact codes (the world audits with them). */
    private static void kindsMetExactly(JsonNode report, JsonNode submitted) {
        for (String kind : submitted.get("kinds").propertyNames()) {
            JsonNode result = report.at("/byKind/" + kind);
            assertThat(result.get("items").asLong()).as(kind).isEqualTo(submitted.at("/kinds/" + kind).asLong());
            assertThat(result.get("met").asLong()).as("%s met: %s", kind, result.get("outcomes")).isEqualTo(result.get("items").asLong());
        }
    }

    @Test
    void batchFileInTheInbox_isTakenWithASignedReceipt_andPaidEndToEnd() throws IOException {
        // an earlier batch of the same household programme and period, so that the file can repeat its people
        JsonNode earlier = world.submit(gateway, "api", "P02", PERIOD, 30, 0.0, 21);
        JsonNode submitted = world.submit(gateway, "file", "P02", PERIOD, 150, 0.3, 22);
        String batchId = submitted.get("batchId").asString();
        String fileName = Path.of(submitted.get("file").asString()).getFileName().toString();

        Path receipts = gateway.inbox().resolve("receipts");
        Path receiptFile = receipts.resolve(fileName + ".receipt.json");
        Path signatureFile = receipts.resolve(fileName + ".receipt.json.sig");
        Await.until("the receipt of " + fileName, Duration.ofSeconds(30), () -> Files.exists(signatureFile));
        byte[] receiptBytes = Files.readAllBytes(receiptFile);
        byte[] signature = Base64.getDecoder().decode(Files.readString(signatureFile).strip());
        assertThat(world.gatewayPublicKey().verify(receiptBytes, signature)).as("the receipt is signed by the gateway").isTrue();
        JsonNode receipt = JSON.readTree(receiptBytes);
        assertThat(receipt.get("result").asString()).isEqualTo("ACCEPTED");
        assertThat(receipt.get("batchId").asString()).isEqualTo(batchId);
        Path processed = gateway.inbox().resolve("processed").resolve(fileName);
        assertThat(processed).exists();
        assertThat(receipt.get("contentSm3").asString()).isEqualTo(HexFormat.of().formatHex(Sm3.digest(Files.readAllBytes(processed))));

        Walls.awaitSettled(gateway, earlier.get("batchId").asString(), SETTLE_TIMEOUT);
        Walls.awaitSettled(gateway, batchId, SETTLE_TIMEOUT);
        Walls.assertAccountedForOnce(world, gateway, earlier.get("batchId").asString());
        Walls.Accounting accounting = Walls.assertAccountedForOnce(world, gateway, batchId);

        assertThat(kindsMade(submitted)).contains("NOT_HOUSEHOLD_HEAD", "DUPLICATE_ACROSS_BATCHES", "GOOD");
        kindsMetExactly(accounting.treasuryReport(), submitted);
        assertThat(gateway.jdbc().queryForObject("select source from batches where batch_id = ?", String.class, batchId))
                .isEqualTo("FILE");
    }

    @Test
    void batchOfThousands_isPaidInSeveralFilesPerBank_eachItemOnce() {
        JsonNode submitted = world.submit(gateway, "file", "P28", PERIOD, 3_000, 0.05, 31);
        String batchId = submitted.get("batchId").asString();

        Walls.awaitSettled(gateway, batchId, Duration.ofMinutes(3));
        Walls.Accounting accounting = Walls.assertAccountedForOnce(world, gateway, batchId);

        assertThat(accounting.count("PAID")).isGreaterThan(2_500);
        kindsMetExactly(accounting.treasuryReport(), submitted);
        Integer files = gateway.jdbc().queryForObject("select count(distinct i.dispatch_pk) from items i join batches b "
                + "using (batch_pk) where b.batch_id = ?", Integer.class, batchId);
        assertThat(files).as("payment files of at most 500 items").isGreaterThanOrEqualTo(6);
        // nobody's numbers in clear in the gateway's log or the other parties'
        List<JsonNode> lines = world.openBatchFile(gateway.inbox().resolve("processed")
                .resolve(Path.of(submitted.get("file").asString()).getFileName()));
        Walls.assertNoPersonalDataInLogs(world.logs(), lines.subList(1, lines.size()));
    }
}
