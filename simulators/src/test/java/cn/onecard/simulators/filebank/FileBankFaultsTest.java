package cn.onecard.simulators.filebank;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import cn.onecard.crypto.SeededCases;
import cn.onecard.simulators.filebank.Layouts.View;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every fault, seen from the gateway's side of the SFTP connection, on both layouts. */
class FileBankFaultsTest {

    @TempDir
    Path dir;

    static void pollUntil(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("condition within " + timeout).isNegative();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    static List<String> paid(int first, int count) {
        return IntStream.range(first, first + count).mapToObj(i -> Layouts.ref(i) + " 0000").toList();
    }

    @ParameterizedTest
    @EnumSource(FileBankKind.class)
    void resultDelay_holdsTheResultBack(FileBankKind kind) throws Exception {
        Duration delay = Duration.ofMillis(1500);
        try (TestBank bank = TestBank.start(kind, dir); SftpGateway gateway = bank.connect()) {
            bank.bank().faults(FileBankFaults.NONE.withResultDelay(delay));
            long sent = System.nanoTime();
            gateway.upload(Layouts.payment(kind, "DLY1", 1, 2));
            Path processed = bank.root().resolve("in/processed");
            pollUntil(() -> fileCount(processed) > 0, TestBank.TIMEOUT);
            assertThat(gateway.outNames()).as("no result before the delay").isEmpty();

            bank.awaitIdle();

            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(delay);
            View view = Layouts.open(kind, gateway.takeAll(), Layouts.resultName(kind, "DLY1", 1));
            assertThat(view.records()).isEqualTo(paid(1, 2));
        }
    }

    private static long fileCount(Path directory) {
        try (var files = Files.list(directory)) {
            return files.count();
        } catch (IOException e) {
            return 0;
        }
    }

    @ParameterizedTest
    @EnumSource(FileBankKind.class)
    void partialResult_answersInTwoParts_eachRecordInExactlyOne(FileBankKind kind) throws Exception {
        try (TestBank bank = TestBank.start(kind, dir); SftpGateway gateway = bank.connect()) {
            bank.bank().faults(FileBankFaults.NONE.withPartialResult(1).withFollowUpDelay(Duration.ofMillis(100)));
            gateway.upload(Layouts.payment(kind, "PRT1", 1, 6));
            bank.awaitIdle();
            Map<String, byte[]> taken = gateway.takeAll();

            View first = Layouts.open(kind, taken, Layouts.resultName(kind, "PRT1", 1));
            View second = Layouts.open(kind, taken, Layouts.resultName(kind, "PRT1", 2));
            assertThat(first.records()).isNotEmpty();
            assertThat(second.records()).isNotEmpty();
            List<String> all = new ArrayList<>(first.records());
            all.addAll(second.records());
            assertThat(all).containsExactlyElementsOf(paid(1, 6));
            assertThat(bank.bank().ledger().resultsWritten()).containsExactly(
                    Layouts.resultName(kind, "PRT1", 1), Layouts.resultName(kind, "PRT1", 2));
        }
    }

    @ParameterizedTest
    @EnumSource(FileBankKind.class)
    void corruptResult_damagesEveryAnswer_andAResendGetsAGoodOne(FileBankKind kind) throws Exception {
        try (TestBank bank = TestBank.start(kind, dir); SftpGateway gateway = bank.connect()) {
            bank.bank().faults(FileBankFaults.NONE.withCorruptResult(1));
            // Several files, so that the seeded draws reach every kind of damage.
            for (int i = 1; i <= 8; i++) {
                gateway.upload(Layouts.payment(kind, "CRP" + i, 10 * i, 3));
            }
            bank.awaitIdle();
            Map<String, byte[]> damaged = gateway.takeAll();
            for (int i = 1; i <= 8; i++) {
                assertThat(Layouts.tryOpen(kind, damaged, Layouts.resultName(kind, "CRP" + i, 1)))
                        .as("damaged result of file " + i).isEmpty();
            }

            bank.bank().faults(FileBankFaults.NONE);
            gateway.upload(Layouts.payment(kind, "CRP1", 10, 3));
            bank.awaitIdle();
            View resent = Layouts.open(kind, gateway.takeAll(), Layouts.resultName(kind, "CRP1", 1));
            assertThat(resent.records()).isEqualTo(paid(10, 3));
            assertThat(bank.bank().ledger().paidCount()).as("each file paid once").isEqualTo(24);
        }
    }

    @ParameterizedTest
    @EnumSource(FileBankKind.class)
    void duplicateResult_reappearsAfterTheGatewayTookIt_withTheSameBytes(FileBankKind kind) throws Exception {
        try (TestBank bank = TestBank.start(kind, dir); SftpGateway gateway = bank.connect()) {
            bank.bank().faults(FileBankFaults.NONE.withDuplicateResult(1).withFollowUpDelay(Duration.ofMillis(100)));
            gateway.upload(Layouts.payment(kind, "DUP1", 1, 2));
            List<String> names = Layouts.serverNames(kind, Layouts.resultName(kind, "DUP1", 1));
            pollUntil(() -> outNames(gateway).containsAll(names), TestBank.TIMEOUT);
            assertThat(bank.bank().awaitIdle(Duration.ofMillis(200)))
                    .as("busy until the first copy is taken and the second written").isFalse();

            Map<String, byte[]> first = gateway.takeAll();
            bank.awaitIdle();
            Map<String, byte[]> second = gateway.takeAll();

            assertThat(second.keySet()).containsExactlyElementsOf(names);
            for (String name : names) {
                assertThat(second.get(name)).as(name).isEqualTo(first.get(name));
            }
            assertThat(bank.bank().ledger().paidCount()).isEqualTo(2);
            assertThat(bank.bank().ledger().resultsWritten()).hasSize(2);
        }
    }

    private static List<String> outNames(SftpGateway gateway) {
        try {
            return gateway.outNames();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @EnumSource(FileBankKind.class)
    void lostRecords_leaveRecordsOutOfTheFirstAnswer_andAResendIsComplete(FileBankKind kind) throws Exception {
        try (TestBank bank = TestBank.start(kind, dir); SftpGateway gateway = bank.connect()) {
            bank.bank().faults(FileBankFaults.NONE.withLostRecords(1));
            gateway.upload(Layouts.payment(kind, "LST1", 1, 4));
            bank.awaitIdle();
            View first = Layouts.open(kind, gateway.takeAll(), Layouts.resultName(kind, "LST1", 1));
            assertThat(first.refused()).isFalse();
            assertThat(first.records()).isEmpty();
            assertThat(bank.bank().ledger().paidCount()).as("paid, though not reported").isEqualTo(4);

            // The fault stays on: a resend of a file id is answered complete regardless.
            gateway.upload(Layouts.payment(kind, "LST1", 1, 4));
            bank.awaitIdle();
            View resent = Layouts.open(kind, gateway.takeAll(), Layouts.resultName(kind, "LST1", 1));
            assertThat(resent.records()).isEqualTo(paid(1, 4));
            assertThat(bank.bank().ledger().paidCount()).isEqualTo(4);
        }
    }

    @Test
    void lostRecordsAndPartialResult_resendRestoresEveryPartComplete() throws Exception {
        FileBankKind kind = FileBankKind.LYB;
        try (TestBank bank = TestBank.start(kind, dir); SftpGateway gateway = bank.connect()) {
            bank.bank().faults(FileBankFaults.NONE.withLostRecords(0.5).withPartialResult(1)
                    .withFollowUpDelay(Duration.ofMillis(50)));
            gateway.upload(Layouts.payment(kind, "LP1", 1, 20));
            bank.awaitIdle();
            Map<String, byte[]> first = gateway.takeAll();
            List<String> reported = new ArrayList<>(Layouts.open(kind, first, Layouts.resultName(kind, "LP1", 1)).records());
            Layouts.tryOpen(kind, first, Layouts.resultName(kind, "LP1", 2)).ifPresent(v -> reported.addAll(v.records()));
            assertThat(reported).hasSizeLessThan(20);
            assertThat(paid(1, 20)).containsAll(reported);

            gateway.upload(Layouts.payment(kind, "LP1", 1, 20));
            bank.awaitIdle();
            Map<String, byte[]> resent = gateway.takeAll();
            List<String> complete = new ArrayList<>(Layouts.open(kind, resent, Layouts.resultName(kind, "LP1", 1)).records());
            complete.addAll(Layouts.open(kind, resent, Layouts.resultName(kind, "LP1", 2)).records());
            assertThat(complete).containsExactlyElementsOf(paid(1, 20));
        }
    }

    @ParameterizedTest
    @EnumSource(FileBankKind.class)
    void closedBank_refusesUploads_processesNothing_untilReopened(FileBankKind kind) throws Exception {
        try (TestBank bank = TestBank.start(kind, dir); SftpGateway gateway = bank.connect()) {
            bank.bank().faults(FileBankFaults.NONE.withClosed(true));
            Map<String, byte[]> files = Layouts.payment(kind, "CLS1", 1, 2);
            String firstName = files.keySet().iterator().next();

            assertThatThrownBy(() -> gateway.upload(firstName, files.get(firstName)))
                    .isInstanceOfSatisfying(SftpException.class,
                            e -> assertThat(e.getStatus()).isEqualTo(SftpConstants.SSH_FX_PERMISSION_DENIED));
            assertThat(gateway.outNames()).as("out/ still readable").isEmpty();

            // A file that arrived just before closing time waits for the morning.
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                Files.write(bank.root().resolve("in").resolve(file.getKey()), file.getValue());
            }
            assertThat(bank.bank().awaitIdle(TestBank.TIMEOUT)).isTrue();
            assertThat(gateway.outNames()).isEmpty();
            assertThat(bank.bank().ledger().filesSeen()).isEmpty();

            bank.bank().faults(FileBankFaults.NONE);
            bank.awaitIdle();
            View view = Layouts.open(kind, gateway.takeAll(), Layouts.resultName(kind, "CLS1", 1));
            assertThat(view.records()).isEqualTo(paid(1, 2));
            gateway.upload(Layouts.payment(kind, "CLS2", 3, 1));
            bank.awaitIdle();
            assertThat(bank.bank().ledger().filesSeen()).containsExactly("CLS1", "CLS2");
        }
    }

    static Stream<Named<Long>> seeds() {
        return SeededCases.cases("file bank faults replay from their seed", 3);
    }

    /** The same seed and the same files give the same faults: a run can be replayed from its printed seed. */
    @ParameterizedTest
    @MethodSource("seeds")
    void faults_replayFromTheSeed(long seed) throws Exception {
        List<List<String>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            Path runDir = Files.createDirectory(dir.resolve("run" + run));
            try (TestBank bank = TestBank.start(FileBankKind.ABC, runDir, b -> b.faultSeed(seed));
                 SftpGateway gateway = bank.connect()) {
                bank.bank().faults(FileBankFaults.NONE.withLostRecords(0.5).withPartialResult(0.5)
                        .withFollowUpDelay(Duration.ZERO));
                List<String> seen = new ArrayList<>();
                for (int file = 1; file <= 3; file++) {
                    gateway.upload(Layouts.payment(FileBankKind.ABC, "SEED" + file, 100 * file, 10));
                    bank.awaitIdle();
                    Map<String, byte[]> taken = gateway.takeAll();
                    seen.add(String.join(",", taken.keySet()));
                    for (int part = 1; part <= 2; part++) {
                        Optional<View> view = Layouts.tryOpen(FileBankKind.ABC, taken,
                                Layouts.resultName(FileBankKind.ABC, "SEED" + file, part));
                        view.ifPresent(v -> seen.addAll(v.records()));
                    }
                }
                runs.add(seen);
            }
        }
        assertThat(runs.get(1)).isEqualTo(runs.get(0));
    }
}
