package cn.onecard.gateway.validation;

import java.time.LocalDate;
import java.util.regex.Pattern;

/**
 * The checks of one item that need nothing but the item and the routing table, run as the item is
 * read. The programme's checks (cap, head of household; the programme code may come after the
 * items in a JSON body) and the checks against stored data (blocked persons, card registry,
 * duplicates) run set-based in the ledger afterwards, in {@link ItemCode}'s order of precedence.
 */
public final class ItemChecks {

    public static final int NAME_CHARS_MAX = 50;

    // letters and marks (Chinese, minority and foreign names), the middle dot of transliterated names, spaces
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{M}·• ]{1," + NAME_CHARS_MAX + "}");
    private static final Pattern PHONE = Pattern.compile("1[3-9][0-9]{9}");

    private final BankRouting routing;

    public ItemChecks(BankRouting routing) {
        this.routing = routing;
    }

    /** The result of the checks: a bank when they pass, the first failed check otherwise. */
    public record Verdict(ItemCode code, String bankCode) {
        public boolean passed() {
            return code == null;
        }
    }

    public Verdict check(String name, String idNumber, String cardNumber, long amountFen, String proxyId,
            String phone, LocalDate today) {
        ItemCode code = IdentityNumbers.check(idNumber, today);
        if (code != null) {
            return new Verdict(code, null);
        }
        if (name == null || name.isBlank() || !NAME.matcher(name).matches()) {
            return new Verdict(ItemCode.NAME_INVALID, null);
        }
        code = CardNumbers.check(cardNumber);
        if (code != null) {
            return new Verdict(code, null);
        }
        String bank = routing.bankFor(cardNumber);
        if (bank == null) {
            return new Verdict(ItemCode.CARD_BANK_NOT_CONTRACTED, null);
        }
        if (amountFen <= 0) {
            return new Verdict(ItemCode.AMOUNT_NOT_POSITIVE, bank);
        }
        if (proxyId != null && (IdentityNumbers.check(proxyId, today) != null || proxyId.equals(idNumber))) {
            return new Verdict(ItemCode.PROXY_ID_INVALID, bank);
        }
        if (phone != null && !PHONE.matcher(phone).matches()) {
            return new Verdict(ItemCode.PHONE_INVALID, bank);
        }
        return new Verdict(null, bank);
    }
}
