package cn.onecard.adapters.iso8583;

import cn.onecard.crypto.SymmetricKey;
import cn.onecard.iso8583.Dialect;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * One ISO 8583 agent bank: where its host is and what the gateway is to it.
 *
 * @param bankCode            the bank's code in the routing table
 * @param dialect             how its host speaks ({@code agent-bcd}, {@code agent-ascii87} or one from a directory)
 * @param host                its host's address on the dedicated line
 * @param macKey              the fixed MAC key agreed with the bank; null where working keys come at sign-on
 *                            ({@code zoneMasterKey}) or the dialect has no MAC
 * @param terminalId          field 41, the gateway's terminal id at the bank (8 characters)
 * @param merchantId          field 42, the gateway's id at the bank (15 characters)
 * @param acquirerId          field 32, the gateway's institution code (up to 11 digits)
 * @param payerAccount        field 102, the subsidy account the credits are paid from
 * @param connections         connections held open to the host
 * @param inFlightMax         exchanges under way at once, over all connections
 * @param requestTimeout      how long an answer is waited for; after it the exchange's outcome is unknown
 * @param echoInterval        an echo test after this long without traffic; zero: none
 * @param verifiesAccounts    the host answers account verification (0100, 3 = 330000)
 * @param reverses            the host takes reversals (0400)
 * @param operationsPerSecond the contracted rate of the line; 0: no limit
 * @param resultDeadline      how long after a credit its outcome is due before it is inquired
 * @param zoneMasterKey       the key the host's working keys come under at sign-on; when set, each connection
 *                            signs on before it carries requests (the dialect must define {@code sign-on.*});
 *                            null: no sign-on, {@code macKey} signs every message
 * @param sessionRenewal      with a zone master key, each connection signs on again after this long; zero: only
 *                            when the host asks (a MAC error)
 */
public record IsoBankConfig(
        String bankCode,
        Dialect dialect,
        InetSocketAddress host,
        SymmetricKey macKey,
        String terminalId,
        String merchantId,
        String acquirerId,
        String payerAccount,
        int connections,
        int inFlightMax,
        Duration requestTimeout,
        Duration echoInterval,
        boolean verifiesAccounts,
        boolean reverses,
        int operationsPerSecond,
        Duration resultDeadline,
        SymmetricKey zoneMasterKey,
        Duration sessionRenewal) {

    public IsoBankConfig {
        Objects.requireNonNull(bankCode, "bankCode");
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(terminalId, "terminalId");
        Objects.requireNonNull(merchantId, "merchantId");
        Objects.requireNonNull(acquirerId, "acquirerId");
        Objects.requireNonNull(payerAccount, "payerAccount");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(echoInterval, "echoInterval");
        Objects.requireNonNull(resultDeadline, "resultDeadline");
        Objects.requireNonNull(sessionRenewal, "sessionRenewal");
        if (zoneMasterKey != null && dialect.signOn().isEmpty()) {
            throw new IllegalArgumentException("bank " + bankCode + ": dialect " + dialect.name()
                    + " defines no sign-on with working keys (sign-on.*), so a zone master key has nothing to carry");
        }
        if (sessionRenewal.isNegative() || (!sessionRenewal.isZero() && zoneMasterKey == null)) {
            throw new IllegalArgumentException("bank " + bankCode + ": a session renewal needs a zone master key and is not negative");
        }
        for (String type : new String[] {"credit", "status-inquiry"}) {
            if (!dialect.messageTypes().containsKey(type)) {
                throw new IllegalArgumentException("bank " + bankCode + ": dialect " + dialect.name() + " has no " + type
                        + " message, which an online bank needs");
            }
        }
        if (verifiesAccounts && !dialect.messageTypes().containsKey("account-verification")) {
            throw new IllegalArgumentException("bank " + bankCode + ": dialect " + dialect.name()
                    + " has no account-verification message");
        }
        if (reverses && !dialect.messageTypes().containsKey("reversal")) {
            throw new IllegalArgumentException("bank " + bankCode + ": dialect " + dialect.name() + " has no reversal message");
        }
        if (connections < 1 || inFlightMax < 1) {
            throw new IllegalArgumentException("bank " + bankCode + ": at least one connection and one exchange in flight");
        }
    }
}
