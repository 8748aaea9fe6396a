package cn.onecard.simulators.filebank;

import cn.onecard.iso8583.Masking;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The bank's card accounts, loaded from a UTF-8 CSV {@code card_number,name,id_number,state,balance_fen}
 * (the header line is optional; no quoting). Only the processor credits; anyone may read a balance.
 * Public because the ISO 8583 bank host keeps its accounts in the same file.
 */
public final class Accounts {

    static final String HEADER = "card_number,name,id_number,state,balance_fen";
    static final int ACCOUNTS_MAX = 5_000_000;
    private static final Pattern CARD_NUMBER = Pattern.compile("\\d{16}|\\d{19}");
    private static final Pattern ID_NUMBER = Pattern.compile("\\d{17}[0-9X]");
    private static final Pattern BALANCE_FEN = Pattern.compile("0|[1-9]\\d{0,17}");

    /** One account. The balance is written by the processor thread only. */
    public static final class Account {
        private final String cardNumber;
        private final String name;
        private final String idNumber;
        private final AccountState state;
        private volatile long balanceFen;

        Account(String cardNumber, String name, String idNumber, AccountState state, long balanceFen) {
            this.cardNumber = cardNumber;
            this.name = name;
            this.idNumber = idNumber;
            this.state = state;
            this.balanceFen = balanceFen;
        }

        public String cardNumber() {
            return cardNumber;
        }

        public String name() {
            return name;
        }

        public String idNumber() {
            return idNumber;
        }

        public AccountState state() {
            return state;
        }

        public long balanceFen() {
            return balanceFen;
        }

        @Override
        public String toString() {
            return "Account[" + Masking.keepEnds(cardNumber) + " " + state + "]";
        }
    }

    private final Map<String, Account> byCardNumber;

    private Accounts(Map<String, Account> byCardNumber) {
        this.byCardNumber = byCardNumber;
    }

    public static Accounts load(Path csv) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(csv)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("accounts file " + csv + " is not UTF-8");
        }
        return parse(text, csv.toString());
    }

    public static Accounts parse(String text, String source) {
        Map<String, Account> accounts = new ConcurrentHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int lineNumber = i + 1;
            if (line.isBlank() || (lineNumber == 1 && line.equals(HEADER))) {
                continue;
            }
            String where = source + " line " + lineNumber;
            String[] fields = line.split(",", -1);
            if (fields.length != 5) {
                throw new IllegalArgumentException(where + ": expected 5 fields (" + HEADER + "), got " + fields.length);
            }
            String card = fields[0];
            String name = fields[1];
            String idNumber = fields[2];
            if (!CARD_NUMBER.matcher(card).matches()) {
                throw new IllegalArgumentException(where + ": card number must be 16 or 19 digits");
            }
            if (name.isEmpty() || !name.strip().equals(name)) {
                throw new IllegalArgumentException(where + ": name must be non-empty, without surrounding spaces");
            }
            if (!ID_NUMBER.matcher(idNumber).matches()) {
                throw new IllegalArgumentException(where + ": ID number must be 17 digits and a digit or X");
            }
            AccountState state;
            try {
                state = AccountState.valueOf(fields[3]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": unknown state '" + fields[3] + "'");
            }
            if (!BALANCE_FEN.matcher(fields[4]).matches()) {
                throw new IllegalArgumentException(where + ": balance must be a whole number of fen, 0 or more");
            }
            if (accounts.size() >= ACCOUNTS_MAX) {
                throw new IllegalArgumentException(source + ": more than " + ACCOUNTS_MAX + " accounts");
            }
            Account account = new Account(card, name, idNumber, state, Long.parseLong(fields[4]));
            if (accounts.putIfAbsent(card, account) != null) {
                throw new IllegalArgumentException(where + ": card number " + Masking.keepEnds(card) + " appears twice");
            }
        }
        return new Accounts(accounts);
    }

    public Optional<Account> find(String cardNumber) {
        return Optional.ofNullable(byCardNumber.get(cardNumber));
    }

    /** Credits a payment; the caller has checked the account and makes credits to one account one at a time. */
    public void credit(String cardNumber, long amountFen) {
        Account account = byCardNumber.get(cardNumber);
        if (account == null) {
            throw new IllegalStateException("credit to an unknown account " + Masking.keepEnds(cardNumber));
        }
        account.balanceFen = Math.addExact(account.balanceFen, amountFen);
    }

    /** Takes back a reversed credit; as {@link #credit}, one at a time. */
    public void debit(String cardNumber, long amountFen) {
        credit(cardNumber, Math.negateExact(amountFen));
    }

    public int size() {
        return byCardNumber.size();
    }
}
