package cn.onecard.simulators.population;

import cn.onecard.iso8583.Masking;
import java.time.LocalDate;

/**
 * One card holder. {@link #toString()} masks every personal field, so a person may be logged.
 *
 * @param index         the person's number in the population, 0-based
 * @param bankName      the name the bank holds for the account (differs from {@code name} for {@link Trait#NAME_MISMATCH})
 * @param balanceFen    the account's opening balance at the bank
 */
public record Person(long index, String name, String idNumber, boolean male, LocalDate birthDate, String phone,
                     String bankCode, String cardNumber, Trait trait, String bankName, boolean householdHead,
                     long balanceFen) {

    public CardState cardState() {
        return trait.cardState();
    }

    public AccountState accountState() {
        return trait.accountState();
    }

    public PersonStatus status() {
        return trait.status();
    }

    @Override
    public String toString() {
        return "Person[index=" + index + ", name=" + Masking.name(name) + ", idNumber=" + Masking.keepEnds(idNumber)
                + ", card=" + bankCode + ":" + Masking.keepEnds(cardNumber) + ", trait=" + trait
                + ", householdHead=" + householdHead + "]";
    }
}
