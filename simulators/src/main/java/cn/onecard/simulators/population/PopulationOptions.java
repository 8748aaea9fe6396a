package cn.onecard.simulators.population;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Everything a population is drawn from: the same options give the same people, byte for byte.
 *
 * @param seed               the one seed every random choice derives from
 * @param persons            how many people, 1 to {@link #PERSONS_MAX}
 * @param banks              the agent banks and their BINs; each person has a card at one of them
 * @param traitShares        share of people with each trait other than {@link Trait#CLEAN} (the rest are clean)
 * @param householdHeadShare share of people who head a household
 */
public record PopulationOptions(long seed, int persons, List<BankBins> banks, Map<Trait, Double> traitShares,
                                double householdHeadShare) {

    public static final int PERSONS_MAX = 100_000_000;

    public PopulationOptions {
        if (persons < 1 || persons > PERSONS_MAX) {
            throw new IllegalArgumentException("persons must be 1 to " + PERSONS_MAX + ", got " + persons);
        }
        banks = List.copyOf(banks);
        if (banks.isEmpty()) {
            throw new IllegalArgumentException("at least one bank");
        }
        if (banks.stream().map(BankBins::code).distinct().count() != banks.size()) {
            throw new IllegalArgumentException("bank codes must differ");
        }
        if (banks.stream().flatMap(bank -> bank.bins().stream()).distinct().count()
                != banks.stream().mapToLong(bank -> bank.bins().size()).sum()) {
            throw new IllegalArgumentException("a BIN belongs to one bank only");
        }
        EnumMap<Trait, Double> shares = new EnumMap<>(Trait.class);
        shares.putAll(traitShares);
        shares.remove(Trait.CLEAN);
        double sum = 0;
        for (Map.Entry<Trait, Double> share : shares.entrySet()) {
            if (!(share.getValue() >= 0 && share.getValue() <= 1)) {
                throw new IllegalArgumentException("share of " + share.getKey() + " must be 0 to 1");
            }
            sum += share.getValue();
        }
        if (sum > 0.5) {
            throw new IllegalArgumentException("traits other than CLEAN may take at most half of the population, got " + sum);
        }
        traitShares = Map.copyOf(shares);
        if (!(householdHeadShare >= 0 && householdHeadShare <= 1)) {
            throw new IllegalArgumentException("householdHeadShare must be 0 to 1");
        }
    }

    /** The shares seen in the regional reports: a few percent of records with something wrong. */
    public static Map<Trait, Double> defaultTraitShares() {
        EnumMap<Trait, Double> shares = new EnumMap<>(Trait.class);
        shares.put(Trait.CARD_NOT_ACTIVATED, 0.008);
        shares.put(Trait.CARD_LOST_TEMPORARY, 0.002);
        shares.put(Trait.CARD_LOST_FORMAL, 0.002);
        shares.put(Trait.CARD_CANCELLED, 0.003);
        shares.put(Trait.CARD_FROZEN, 0.002);
        shares.put(Trait.ACCOUNT_CLOSED, 0.001);
        shares.put(Trait.ACCOUNT_FROZEN, 0.001);
        shares.put(Trait.ACCOUNT_CREDIT_RESTRICTED, 0.001);
        shares.put(Trait.ACCOUNT_NON_SETTLEMENT, 0.001);
        shares.put(Trait.ACCOUNT_LOST, 0.001);
        shares.put(Trait.ACCOUNT_NOT_ACTIVATED, 0.001);
        shares.put(Trait.NAME_MISMATCH, 0.003);
        shares.put(Trait.DECEASED, 0.003);
        shares.put(Trait.BLOCKED, 0.001);
        return shares;
    }

    public static PopulationOptions defaults(long seed, int persons) {
        return new PopulationOptions(seed, persons, BankBins.demoBanks(), defaultTraitShares(), 0.4);
    }

    public double share(Trait trait) {
        return trait == Trait.CLEAN ? 1 - traitShares.values().stream().mapToDouble(Double::doubleValue).sum()
                : traitShares.getOrDefault(trait, 0.0);
    }

    public PopulationOptions withTraitShares(Map<Trait, Double> shares) {
        return new PopulationOptions(seed, persons, banks, shares, householdHeadShare);
    }

    @Override
    public String toString() {
        return "PopulationOptions[seed=" + seed + ", persons=" + persons + ", banks=" + banks
                + ", traitShares={" + traitShares.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "))
                + "}, householdHeadShare=" + householdHeadShare + "]";
    }
}
