package cn.onecard.simulators.treasury;

import cn.onecard.simulators.population.Population;
import cn.onecard.simulators.population.PopulationOptions;
import cn.onecard.simulators.population.Trait;
import java.time.YearMonth;
import java.util.EnumMap;
import java.util.Map;

/** A population with every trait common enough that each bad kind finds its people. */
final class TreasuryFixtures {

    static final YearMonth PERIOD = YearMonth.of(2026, 11);
    static final String CALLBACK_URL = "http://127.0.0.1:9/callbacks";

    private TreasuryFixtures() {
    }

    static Population population(long seed, int persons) {
        EnumMap<Trait, Double> shares = new EnumMap<>(Trait.class);
        for (Trait trait : Trait.values()) {
            if (trait != Trait.CLEAN) {
                shares.put(trait, 0.01);
            }
        }
        return new Population(PopulationOptions.defaults(seed, persons).withTraitShares(shares));
    }

    static BatchSpec spec(String batchId, String programme, int items, double badShare, long seed) {
        return new BatchSpec(batchId, programme, PERIOD, items, badShare, Map.of(), seed, "4103000001", CALLBACK_URL);
    }

    static BatchSpec spec(String batchId, String programme, int items, Map<ItemKind, Double> shares, long seed) {
        return new BatchSpec(batchId, programme, PERIOD, items, 0, shares, seed, "4103000001", CALLBACK_URL);
    }
}
