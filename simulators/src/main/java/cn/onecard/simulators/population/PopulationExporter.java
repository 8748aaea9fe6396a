package cn.onecard.simulators.population;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes a population as the files other parties load: the card registry and blocked-persons
 * feeds (docs/files/feeds.md) and one accounts file per bank for the bank simulators. One pass,
 * one person in memory at a time; each file is written as {@code .NAME.part} and renamed when whole.
 */
public final class PopulationExporter {

    public static final String CARD_REGISTRY_HEADER = "card_number,id_number,state";
    public static final String BLOCKED_PERSONS_HEADER = "id_number,reason";
    public static final String ACCOUNTS_HEADER = "card_number,name,id_number,state,balance_fen";
    private static final int BUFFER_CHARS = 1 << 20;

    /** The files written and their line counts (without headers). */
    public record Exported(Path cardRegistry, long cards, Path blockedPersons, long blocked,
                           Map<String, Path> accounts, Map<String, Long> accountsPerBank) {
    }

    private PopulationExporter() {
    }

    /** Feeds as {@code feedsDir/card-registry.csv} and {@code feedsDir/blocked-persons.csv}, accounts where {@code accountsFile} says. */
    public static Exported export(Population population, Path feedsDir, Function<String, Path> accountsFile) throws IOException {
        Path registryPath = feedsDir.resolve("card-registry.csv");
        Path blockedPath = feedsDir.resolve("blocked-persons.csv");
        Map<String, Path> accountPaths = new LinkedHashMap<>();
        for (BankBins bank : population.banks()) {
            accountPaths.put(bank.code(), accountsFile.apply(bank.code()));
        }
        List<Staged> staged = new ArrayList<>();
        try {
            Staged registry = stage(registryPath, staged);
            Staged blocked = stage(blockedPath, staged);
            Staged[] accounts = new Staged[population.banks().size()];
            for (int i = 0; i < accounts.length; i++) {
                accounts[i] = stage(accountPaths.get(population.banks().get(i).code()), staged);
            }
            registry.writer.write(CARD_REGISTRY_HEADER + "\n");
            blocked.writer.write(BLOCKED_PERSONS_HEADER + "\n");
            for (Staged account : accounts) {
                account.writer.write(ACCOUNTS_HEADER + "\n");
            }
            long blockedCount = 0;
            long[] perBank = new long[accounts.length];
            StringBuilder line = new StringBuilder(128);
            for (long index = 0; index < population.size(); index++) {
                Person person = population.person(index);
                line.setLength(0);
                line.append(person.cardNumber()).append(',').append(person.idNumber()).append(',')
                        .append(person.cardState().name()).append('\n');
                registry.writer.append(line);
                if (person.status() != PersonStatus.ACTIVE) {
                    line.setLength(0);
                    line.append(person.idNumber()).append(',').append(person.status().name()).append('\n');
                    blocked.writer.append(line);
                    blockedCount++;
                }
                int bank = bankIndex(population, person.bankCode());
                line.setLength(0);
                line.append(person.cardNumber()).append(',').append(person.bankName()).append(',').append(person.idNumber())
                        .append(',').append(person.accountState().name()).append(',').append(person.balanceFen()).append('\n');
                accounts[bank].writer.append(line);
                perBank[bank]++;
            }
            for (Staged file : staged) {
                file.publish();
            }
            Map<String, Long> counts = new LinkedHashMap<>();
            for (int i = 0; i < perBank.length; i++) {
                counts.put(population.banks().get(i).code(), perBank[i]);
            }
            return new Exported(registryPath, population.size(), blockedPath, blockedCount, accountPaths, counts);
        } finally {
            for (Staged file : staged) {
                file.discard();
            }
        }
    }

    /** Everything in one directory: the two feeds and {@code accounts-{BANK}.csv}. */
    public static Exported export(Population population, Path dir) throws IOException {
        return export(population, dir, code -> dir.resolve("accounts-" + code + ".csv"));
    }

    private static int bankIndex(Population population, String code) {
        List<BankBins> banks = population.banks();
        for (int i = 0; i < banks.size(); i++) {
            if (banks.get(i).code().equals(code)) {
                return i;
            }
        }
        throw new IllegalStateException("a person's bank is not in the population's banks");
    }

    private static Staged stage(Path destination, List<Staged> staged) throws IOException {
        Path target = destination.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path part = target.resolveSibling("." + target.getFileName() + ".part");
        Writer writer = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(part), StandardCharsets.UTF_8), BUFFER_CHARS);
        Staged file = new Staged(part, target, writer);
        staged.add(file);
        return file;
    }

    private static final class Staged {
        final Path part;
        final Path destination;
        final Writer writer;
        boolean done;

        Staged(Path part, Path destination, Writer writer) {
            this.part = part;
            this.destination = destination;
            this.writer = writer;
        }

        void publish() throws IOException {
            writer.close();
            Files.move(part, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
        }

        void discard() throws IOException {
            if (!done) {
                writer.close();
                Files.deleteIfExists(part);
            }
        }
    }
}
