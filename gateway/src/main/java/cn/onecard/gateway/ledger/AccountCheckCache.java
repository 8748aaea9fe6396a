package cn.onecard.gateway.ledger;

import cn.onecard.adapters.AccountCheck;
import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.PaymentInstruction;
import cn.onecard.crypto.Sm3;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * A bank's definite answers to account verifications (valid, or refused with the item's code), kept
 * for a configured time in the ledger, shared by every node: an account verified a moment ago is not
 * asked about again. Unclear answers are never kept. Accounts are named by the SM3 of card number,
 * holder name and identity number: the table adds no copy of them in clear to what the items hold.
 */
public final class AccountCheckCache {

    private static final HexFormat HEX = HexFormat.of();

    private final DataSource dataSource;
    private final Clock clock;

    public AccountCheckCache(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** The account's key: the SM3 of its card number, holder name and identity number, each ended by a zero byte. */
    static byte[] accountKey(PaymentInstruction instruction) {
        Sm3.Hasher hasher = Sm3.newHasher();
        for (String part : new String[] {instruction.cardNumber(), instruction.holderName(), instruction.idNumber()}) {
            hasher.update(part.getBytes(StandardCharsets.UTF_8));
            hasher.update(new byte[] {0});
        }
        return hasher.finish();
    }

    /** The bank's answers younger than {@code ttl} for these instructions, by the caller's key of each. */
    public <K> Map<K, AccountCheck> fresh(String bankCode, Map<K, PaymentInstruction> instructions, Duration ttl) {
        Map<K, AccountCheck> found = new HashMap<>();
        if (instructions.isEmpty() || ttl.isZero()) {
            return found;
        }
        Map<String, List<K>> keysByAccount = new HashMap<>();
        List<byte[]> accounts = new ArrayList<>();
        instructions.forEach((key, instruction) -> {
            byte[] account = accountKey(instruction);
            keysByAccount.computeIfAbsent(HEX.formatHex(account), hex -> {
                accounts.add(account);
                return new ArrayList<>();
            }).add(key);
        });
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement("select account_sm3, valid, outcome, bank_result_code "
                        + "from account_checks where bank_code = ? and account_sm3 = any(?) and checked_at > ?")) {
            select.setString(1, bankCode);
            select.setArray(2, connection.createArrayOf("bytea", accounts.toArray(new byte[0][])));
            select.setTimestamp(3, Timestamp.from(clock.instant().minus(ttl)));
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    AccountCheck check = rows.getBoolean(2) ? new AccountCheck.Valid()
                            : new AccountCheck.Invalid(BankOutcome.valueOf(rows.getString(3)), rows.getString(4));
                    keysByAccount.getOrDefault(HEX.formatHex(rows.getBytes(1)), List.of())
                            .forEach(key -> found.put(key, check));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while reading account checks of " + bankCode, e);
        }
        return found;
    }

    /** Keeps the bank's definite answers (valid or refused); an unclear one is not kept. */
    public void remember(String bankCode, Map<PaymentInstruction, AccountCheck> answers) {
        List<byte[]> accounts = new ArrayList<>();
        List<Boolean> valid = new ArrayList<>();
        List<String> outcomes = new ArrayList<>();
        List<String> codes = new ArrayList<>();
        answers.forEach((instruction, check) -> {
            switch (check) {
                case AccountCheck.Valid ignored -> {
                    accounts.add(accountKey(instruction));
                    valid.add(true);
                    outcomes.add(null);
                    codes.add(null);
                }
                case AccountCheck.Invalid invalid -> {
                    accounts.add(accountKey(instruction));
                    valid.add(false);
                    outcomes.add(invalid.outcome().name());
                    codes.add(invalid.bankResultCode());
                }
                case AccountCheck.Unknown ignored -> {
                }
            }
        });
        if (accounts.isEmpty()) {
            return;
        }
        try (Connection connection = dataSource.getConnection();
                PreparedStatement upsert = connection.prepareStatement("insert into account_checks (bank_code, account_sm3, "
                        + "valid, outcome, bank_result_code, checked_at) select ?, a, v, o, c, ? "
                        + "from unnest(?::bytea[], ?::boolean[], ?::text[], ?::text[]) as u(a, v, o, c) "
                        + "on conflict (bank_code, account_sm3) do update set valid = excluded.valid, outcome = excluded.outcome, "
                        + "bank_result_code = excluded.bank_result_code, checked_at = excluded.checked_at")) {
            upsert.setString(1, bankCode);
            upsert.setTimestamp(2, Timestamp.from(clock.instant()));
            upsert.setArray(3, connection.createArrayOf("bytea", accounts.toArray(new byte[0][])));
            upsert.setArray(4, connection.createArrayOf("boolean", valid.toArray()));
            upsert.setArray(5, connection.createArrayOf("text", outcomes.toArray()));
            upsert.setArray(6, connection.createArrayOf("text", codes.toArray()));
            upsert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while keeping account checks of " + bankCode, e);
        }
    }
}
