package cn.onecard.simulators;

import cn.onecard.simulators.population.BankBins;
import cn.onecard.simulators.population.PopulationOptions;
import cn.onecard.simulators.population.Trait;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options a population is drawn from, shared by the commands that need one. */
final class PopulationMixin {

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "population seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--persons", defaultValue = "200000", paramLabel = "N", description = "people in the population (default: ${DEFAULT-VALUE})")
    int persons;

    @Option(names = "--bank", paramLabel = "CODE:BIN,BIN:DIGITS",
            description = "a bank and its card BINs, repeatable (default: LYB:623595,621493:16 and ABC:622848,622845:19)")
    List<String> banks;

    @Option(names = "--share", paramLabel = "TRAIT=SHARE", description = "share of people with a trait, repeatable, e.g. DECEASED=0.01")
    Map<Trait, Double> shares;

    @Option(names = "--household-head-share", defaultValue = "0.4", paramLabel = "SHARE", description = "share of household heads (default: ${DEFAULT-VALUE})")
    double householdHeadShare;

    PopulationOptions options() {
        List<BankBins> bins = banks == null || banks.isEmpty() ? BankBins.demoBanks() : banks.stream().map(BankBins::parse).toList();
        Map<Trait, Double> traitShares = new EnumMap<>(PopulationOptions.defaultTraitShares());
        if (shares != null) {
            traitShares.putAll(shares);
        }
        return new PopulationOptions(seed, persons, bins, traitShares, householdHeadShare);
    }
}
