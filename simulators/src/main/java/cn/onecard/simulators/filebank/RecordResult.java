package cn.onecard.simulators.filebank;

import cn.onecard.iso8583.Masking;


/**
 * What the bank did with one record, and the result part (1, 2, ...) that reports it. Holds the
 * card number because result files echo it; {@link #toString()} masks it.
 */
record RecordResult(int sequence, String reference, String cardNumber, long amountFen, RecordOutcome outcome,
                    int part) {

    @Override
    public String toString() {
        return "RecordResult[" + sequence + " " + reference + " " + Masking.keepEnds(cardNumber) + " " + amountFen
                + " fen " + outcome + " part " + part + "]";
    }
}
