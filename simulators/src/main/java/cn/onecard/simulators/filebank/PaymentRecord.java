package cn.onecard.simulators.filebank;

import cn.onecard.iso8583.Masking;


/** One payee line of a payment file, as the bank read it. {@link #toString()} hides the holder's data. */
record PaymentRecord(int sequence, String reference, String name, long amountFen, String cardNumber,
                     String idNumber) {

    @Override
    public String toString() {
        return "PaymentRecord[" + sequence + " " + reference + " " + amountFen + " fen " + Masking.keepEnds(cardNumber) + "]";
    }
}
