package cn.onecard.simulators.treasury;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cn.onecard.crypto.EnvelopeOpener;
import cn.onecard.crypto.OpenedEnvelope;
import cn.onecard.crypto.SeededCases;
import cn.onecard.crypto.Sm2;
import cn.onecard.crypto.Sm2KeyPair;
import cn.onecard.simulators.population.BankBins;
import cn.onecard.simulators.population.CardState;
import cn.onecard.simulators.population.CardNumbers;
import cn.onecard.simulators.population.IdentityNumbers;
import cn.onecard.simulators.population.Person;
import cn.onecard.simulators.population.PersonStatus;
import cn.onecard.simulators.population.Population;
import cn.onecard.simulators.population.Trait;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

class BatchGeneratorTest {

    @TempDir
    Path dir;

    static Stream<Named<Long>> seeds() {
        return SeededCases.cases("batch generation", 4);
    }

    /** Every bad kind at 2%: a household programme (so NOT_HOUSEHOLD_HEAD applies) after a first batch (so cross-batch duplicates do). */
    @ParameterizedTest
    @MethodSource("seeds")
    void eachKind_isProducedWithItsShare_andHasTheDefectItIsTaggedWith(long seed) throws IOException {
        Population population = TreasuryFixtures.population(seed, 60_000);
        BatchGenerator generator = new BatchGenerator(population, dir.resolve("batches"));
        List<JsonNode> firstItems;
        try (GeneratedBatch first = generator.generate(TreasuryFixtures.spec("FIRST", "P02", 2_000, 0.0, seed))) {
            firstItems = items(apiBody(first));
        }
        Set<String> firstIds = new HashSet<>();
        firstItems.forEach(item -> firstIds.add(item.get("idNumber").asString()));

        EnumMap<ItemKind, Double> shares = new EnumMap<>(ItemKind.class);
        for (ItemKind kind : ItemKind.values()) {
            if (kind.bad()) {
                shares.put(kind, 0.02);
            }
        }
        int itemCount = 5_000;
        try (GeneratedBatch batch = generator.generate(TreasuryFixtures.spec("SECOND", "P02", itemCount, shares, seed + 1))) {
            for (ItemKind kind : ItemKind.values()) {
                long expected = kind == ItemKind.GOOD ? itemCount - 100L * (ItemKind.values().length - 1) : 100;
                assertThat(batch.kinds().get(kind)).as(kind.name()).isEqualTo(expected);
            }
            List<JsonNode> items = items(apiBody(batch));
            Map<String, ItemKind> kinds = new HashMap<>();
            Manifest.read(batch.manifest(), (header, width) -> { }, (position, row) -> kinds.put(row.itemId(), row.kind()));
            Map<String, Person> byId = new HashMap<>();
            for (int i = 0; i < population.size(); i++) {
                Person person = population.person(i);
                byId.put(person.idNumber(), person);
            }
            Programme programme = Catalogue.byCode("P02");
            Set<String> seenInBatch = new HashSet<>();
            long total = 0;
            for (JsonNode item : items) {
                ItemKind kind = kinds.get(item.get("itemId").asString());
                String id = item.get("idNumber").asString();
                String card = item.get("cardNumber").asString();
                long amount = item.get("amountFen").asLong();
                boolean head = item.get("householdHead").asBoolean();
                total += amount;
                Person person = byId.get(id);
                boolean idValid = IdentityNumbers.isValid(id);
                boolean luhn = CardNumbers.isLuhnValid(card);
                BankBins bank = population.bankOf(card);
                boolean amountOk = amount > 0 && amount <= programme.capFen();
                boolean firstInBatch = seenInBatch.add(id);
                switch (kind) {
                    case GOOD -> {
                        assertThat(idValid && luhn && bank != null && amountOk && head).as("good item %s", item.get("itemId")).isTrue();
                        assertThat(person.trait()).isEqualTo(Trait.CLEAN);
                        assertThat(person.cardNumber()).isEqualTo(card);
                        assertThat(firstIds).doesNotContain(id);
                        assertThat(firstInBatch).as("a good item repeats nobody").isTrue();
                    }
                    case ID_CHECKSUM -> {
                        assertThat(idValid).isFalse();
                        assertThat(IdentityNumbers.birthDate(id)).isNotNull();
                    }
                    case ID_BIRTH_DATE -> {
                        assertThat(IdentityNumbers.birthDate(id)).isNull();
                        assertThat(IdentityNumbers.checkCharacter(id)).as("only the date is wrong").isEqualTo(id.charAt(17));
                    }
                    case CARD_LUHN -> assertThat(luhn).isFalse();
                    case CARD_UNKNOWN_BIN -> {
                        assertThat(luhn).isTrue();
                        assertThat(bank).isNull();
                    }
                    case AMOUNT_NOT_POSITIVE -> assertThat(amount).isLessThanOrEqualTo(0);
                    case AMOUNT_OVER_CAP -> assertThat(amount).isGreaterThan(programme.capFen());
                    case NOT_HOUSEHOLD_HEAD -> assertThat(head).isFalse();
                    case CARD_STATE -> assertThat(person.cardState()).isNotEqualTo(CardState.NORMAL);
                    case PERSON_DECEASED -> assertThat(person.status()).isEqualTo(PersonStatus.DECEASED);
                    case PERSON_BLOCKED -> assertThat(person.status()).isEqualTo(PersonStatus.BLOCKED);
                    case DUPLICATE_IN_BATCH -> assertThat(firstInBatch).as("repeats an earlier item of the batch").isFalse();
                    case DUPLICATE_ACROSS_BATCHES -> assertThat(firstIds).contains(id);
                    case BANK_ACCOUNT_STATE -> assertThat(person.trait().badAtBankOnly() && person.trait() != Trait.NAME_MISMATCH).isTrue();
                    case BANK_NAME_MISMATCH -> assertThat(person.trait()).isEqualTo(Trait.NAME_MISMATCH);
                }
                if (kind != ItemKind.GOOD && kind != ItemKind.NOT_HOUSEHOLD_HEAD) {
                    assertThat(head).as("household programme items say householdHead=true unless that is the fault").isTrue();
                }
                if (kind.outcome() != ItemKind.Outcome.PAID && kind != ItemKind.ID_CHECKSUM && kind != ItemKind.ID_BIRTH_DATE
                        && kind != ItemKind.CARD_LUHN && kind != ItemKind.CARD_UNKNOWN_BIN) {
                    assertThat(idValid && luhn && bank != null).as("%s has no other defect", kind).isTrue();
                }
            }
            assertThat(total).isEqualTo(batch.header().totalAmountFen());
            assertThat(items).hasSize(itemCount);
        }
    }

    @Test
    void sameSeed_givesTheSameBytes_andAnotherSeedDoesNot() throws IOException {
        byte[][] bodies = new byte[3][];
        byte[][] manifests = new byte[3][];
        long[] seeds = {5, 5, 6};
        for (int i = 0; i < 3; i++) {
            BatchGenerator generator = new BatchGenerator(TreasuryFixtures.population(1, 20_000), dir.resolve("run" + i));
            try (GeneratedBatch batch = generator.generate(TreasuryFixtures.spec("B1", "P29", 3_000, 0.1, seeds[i]))) {
                bodies[i] = apiBody(batch);
                manifests[i] = Files.readAllBytes(batch.manifest());
            }
        }
        assertThat(bodies[1]).isEqualTo(bodies[0]);
        assertThat(manifests[1]).isEqualTo(manifests[0]);
        assertThat(bodies[2]).isNotEqualTo(bodies[0]);
    }

    @Test
    void batchFile_opensWithTheGatewayKey_andParsesBackToTheSameBatch() throws IOException {
        Sm2KeyPair gateway = Sm2.generateKeyPair();
        Sm2KeyPair treasury = Sm2.generateKeyPair();
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        BatchGenerator generator = new BatchGenerator(TreasuryFixtures.population(2, 20_000), dir.resolve("batches"));
        try (GeneratedBatch batch = generator.generate(TreasuryFixtures.spec("FILE-1", "P28", 2_500, 0.05, 3))) {
            Path file = batch.writeBatchFile(inbox, gateway.publicKey(), treasury.privateKey());
            assertThat(file.getFileName().toString()).isEqualTo("FILE-1.jsonl.ocev");
            try (Stream<Path> files = Files.list(inbox)) {
                assertThat(files).containsExactly(file);
            }
            OpenedEnvelope opened = new EnvelopeOpener().open(Files.readAllBytes(file), gateway.privateKey(), treasury.publicKey());
            assertThat(opened.info().label()).isEqualTo("FILE-1.jsonl");
            List<String> lines = new String(opened.content(), StandardCharsets.UTF_8).lines().toList();
            JsonNode header = Json.MAPPER.readTree(lines.getFirst());
            JsonNode body = Json.MAPPER.readTree(apiBody(batch));
            assertThat(header.has("items")).isFalse();
            for (String field : List.of("batchId", "programCode", "programName", "period", "payerAccount", "callbackUrl", "itemCount", "totalAmountFen")) {
                assertThat(header.get(field)).as(field).isEqualTo(body.get(field));
            }
            assertThat(lines).hasSize(1 + 2_500);
            for (int i = 0; i < 2_500; i++) {
                assertThat(Json.MAPPER.readTree(lines.get(i + 1))).isEqualTo(body.get("items").get(i));
            }
            assertThat(BatchHeader.fromJson(header)).isEqualTo(batch.header());
        }
    }

    @Test
    void anotherGeneratorOverTheSameDirectory_goesOnWhereTheLastStopped() throws IOException {
        Population population = TreasuryFixtures.population(13, 20_000);
        Set<String> first = new HashSet<>();
        try (GeneratedBatch batch = new BatchGenerator(population, dir).generate(TreasuryFixtures.spec("A", "P29", 3_000, 0, 1))) {
            items(apiBody(batch)).forEach(item -> first.add(item.get("idNumber").asString()));
        }
        // a new process (or a restarted world): same population, same programme and period
        try (GeneratedBatch batch = new BatchGenerator(population, dir).generate(TreasuryFixtures.spec("B", "P29", 3_000,
                Map.of(ItemKind.DUPLICATE_ACROSS_BATCHES, 0.01), 1))) {
            for (JsonNode item : items(apiBody(batch))) {
                boolean repeated = first.contains(item.get("idNumber").asString());
                assertThat(repeated).as("item %s", item.get("itemId")).isEqualTo(kindOf(batch, item.get("itemId").asString()) == ItemKind.DUPLICATE_ACROSS_BATCHES);
            }
            assertThat(batch.kinds()).containsEntry(ItemKind.DUPLICATE_ACROSS_BATCHES, 30L);
        }
    }

    private static ItemKind kindOf(GeneratedBatch batch, String itemId) {
        ItemKind[] kind = new ItemKind[1];
        try {
            Manifest.read(batch.manifest(), (header, width) -> { }, (position, row) -> {
                if (row.itemId().equals(itemId)) {
                    kind[0] = row.kind();
                }
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return kind[0];
    }

    @Test
    void aPopulationTooSmall_isRefusedWithAReason() {
        BatchGenerator generator = new BatchGenerator(TreasuryFixtures.population(3, 500), dir.resolve("batches"));
        assertThatThrownBy(() -> generator.generate(TreasuryFixtures.spec("BIG", "P29", 1_000, 0, 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no unused person left for P29 202611");
    }

    @Test
    void aKindThePopulationLacks_becomesGood_andIsCountedAsMade() throws IOException {
        BatchGenerator generator = new BatchGenerator(new Population(cn.onecard.simulators.population.PopulationOptions.defaults(4, 5_000)
                .withTraitShares(Map.of())), dir.resolve("batches"));
        try (GeneratedBatch batch = generator.generate(TreasuryFixtures.spec("NONE", "P29", 200, Map.of(ItemKind.PERSON_DECEASED, 0.1), 1))) {
            assertThat(batch.plannedKinds()).containsEntry(ItemKind.PERSON_DECEASED, 20L);
            assertThat(batch.kinds()).doesNotContainKey(ItemKind.PERSON_DECEASED).containsEntry(ItemKind.GOOD, 200L);
        }
    }

    static byte[] apiBody(GeneratedBatch batch) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        batch.writeApiBody(out);
        return out.toByteArray();
    }

    static List<JsonNode> items(byte[] body) {
        List<JsonNode> items = new ArrayList<>();
        Json.MAPPER.readTree(body).get("items").forEach(items::add);
        return items;
    }
}
