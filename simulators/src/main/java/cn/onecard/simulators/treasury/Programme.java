package cn.onecard.simulators.treasury;

/**
 * One subsidy programme of the treasury's own catalogue copy (docs/catalogue.md), with the
 * amounts it typically pays.
 *
 * @param capFen          the per-item cap
 * @param household       paid to the head of household's card
 * @param typicalMinFen   smallest typical payment
 * @param typicalMaxFen   largest typical payment (at most the cap)
 * @param stepFen         typical payments are multiples of this above the minimum
 */
public record Programme(String code, String name, long capFen, boolean household, long typicalMinFen,
                        long typicalMaxFen, long stepFen) {

    public Programme {
        if (typicalMinFen < 1 || typicalMaxFen < typicalMinFen || typicalMaxFen > capFen || stepFen < 1) {
            throw new IllegalArgumentException("programme " + code + ": typical amounts must be 1 fen to the cap");
        }
    }
}
