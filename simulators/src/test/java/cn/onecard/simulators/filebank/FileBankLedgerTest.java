package cn.onecard.simulators.filebank;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import cn.onecard.simulators.filebank.Layouts.View;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bank's own ledger: persisted, replayed on restart, and the ground of exactly-once. */
class FileBankLedgerTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(FileBankKind.class)
    void restartedBank_remembersFilesAndReferences_andBalances(FileBankKind kind) throws Exception {
        try (TestBank bank = TestBank.start(kind, dir)) {
            try (SftpGateway gateway = bank.connect()) {
                gateway.upload(Layouts.payment(kind, "RST1", 1, 3));
                bank.awaitIdle();
                gateway.takeAll();
            }
            FileBankLedger before = bank.bank().ledger();

            bank.restart();

            assertThat(bank.bank().ledger()).isEqualTo(before);
            assertThat(bank.bank().balanceFen(Layouts.ZHANG_CARD)).hasValue(300);
            try (SftpGateway gateway = bank.connect()) {
                gateway.upload(Layouts.payment(kind, "RST1", 1, 3));
                bank.awaitIdle();
                View again = Layouts.open(kind, gateway.takeAll(), Layouts.resultName(kind, "RST1", 1));
                assertThat(again.records()).isEqualTo(List.of(Layouts.ref(1) + " 0000", Layouts.ref(2) + " 0000",
                        Layouts.ref(3) + " 0000"));

                gateway.upload(Layouts.payment(kind, "RST2", 3, 2));
                bank.awaitIdle();
                View next = Layouts.open(kind, gateway.takeAll(), Layouts.resultName(kind, "RST2", 1));
                String duplicate = kind == FileBankKind.LYB ? "E008" : "3007";
                assertThat(next.records()).containsExactly(Layouts.ref(3) + " " + duplicate, Layouts.ref(4) + " 0000");
            }
            FileBankLedger after = bank.bank().ledger();
            assertThat(after.paidCount()).isEqualTo(4);
            assertThat(after.paidSumFen()).isEqualTo(400);
            assertThat(after.filesSeen()).containsExactly("RST1", "RST2");
            assertThat(bank.bank().balanceFen(Layouts.ZHANG_CARD)).hasValue(400);
        }
    }

    @Test
    void crashBetweenLedgerAndResult_resendGetsTheResult_andNothingIsPaidTwice() throws Exception {
        FileBankKind kind = FileBankKind.LYB;
        try (TestBank bank = TestBank.start(kind, dir)) {
            bank.bank().faults(FileBankFaults.NONE.withResultDelay(Duration.ofHours(1)));
            try (SftpGateway gateway = bank.connect()) {
                gateway.upload(Layouts.payment(kind, "CRS1", 1, 2));
                FileBankFaultsTest.pollUntil(() -> bank.bank().ledger().paidCount() == 2, TestBank.TIMEOUT);
            }

            bank.restart(); // the scheduled result dies with the process

            try (SftpGateway gateway = bank.connect()) {
                assertThat(gateway.outNames()).isEmpty();
                gateway.upload(Layouts.payment(kind, "CRS1", 1, 2));
                bank.awaitIdle();
                View result = Layouts.open(kind, gateway.takeAll(), Layouts.resultName(kind, "CRS1", 1));
                assertThat(result.records()).containsExactly(Layouts.ref(1) + " 0000", Layouts.ref(2) + " 0000");
            }
            assertThat(bank.bank().ledger().paidCount()).isEqualTo(2);
            assertThat(bank.bank().balanceFen(Layouts.ZHANG_CARD)).hasValue(200);
        }
    }

    @Test
    void ledgerFile_isOneJsonObjectALine_withTheFileAndItsRecords() throws Exception {
        try (TestBank bank = TestBank.start(FileBankKind.ABC, dir); SftpGateway gateway = bank.connect()) {
            gateway.upload(Layouts.payment(FileBankKind.ABC, "JSN1", 1, 1));
            bank.awaitIdle();

            List<String> lines = Files.readAllLines(bank.root().resolve("ledger.jsonl"));
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).startsWith("{\"type\":\"file\",\"bank\":\"ABC\",\"fileId\":\"JSN1\"")
                    .contains("\"outcome\":\"PAID\"");
            assertThat(lines.get(1)).startsWith("{\"type\":\"written\",\"name\":\"ABC20261102JSN1.ret\"");
        }
    }

    @Test
    void unfinishedLastLine_isDropped_onRestart() throws Exception {
        try (TestBank bank = TestBank.start(FileBankKind.ABC, dir)) {
            try (SftpGateway gateway = bank.connect()) {
                gateway.upload(Layouts.payment(FileBankKind.ABC, "TRN1", 1, 1));
                bank.awaitIdle();
            }
            bank.bank().close();
            Path ledger = bank.root().resolve("ledger.jsonl");
            Files.writeString(ledger, "{\"type\":\"file\",\"bank\":\"AB", StandardOpenOption.APPEND);

            bank.restart();

            assertThat(bank.bank().ledger().filesSeen()).containsExactly("TRN1");
            assertThat(Files.readString(ledger)).endsWith("}\n");
        }
    }

    @Test
    void damagedLine_inTheMiddle_stopsTheBankFromStarting() throws Exception {
        try (TestBank bank = TestBank.start(FileBankKind.ABC, dir)) {
            bank.bank().close();
            Files.writeString(bank.root().resolve("ledger.jsonl"), "{\"type\":\"file\"}\n", StandardCharsets.UTF_8);

            assertThatThrownBy(bank::restart).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("line 1 is not a ledger entry");
        }
    }

    @Test
    void ledgerOfAnotherBankKind_stopsTheBankFromStarting() throws Exception {
        Path abcDir = Files.createDirectory(dir.resolve("abc"));
        try (TestBank abc = TestBank.start(FileBankKind.ABC, abcDir); SftpGateway gateway = abc.connect()) {
            gateway.upload(Layouts.payment(FileBankKind.ABC, "KND1", 1, 1));
            abc.awaitIdle();
        }
        assertThatThrownBy(() -> TestBank.start(FileBankKind.LYB, abcDir)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("written by a bank of kind ABC, not LYB");
    }
}
