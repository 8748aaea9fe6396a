package cn.onecard.adapters.iso8583;

import cn.onecard.adapters.AccountCheck;
import cn.onecard.adapters.BankAdapter;
import cn.onecard.adapters.BankCapabilities;
import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.BankReportHandler;
import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.InquiryAnswer;
import cn.onecard.adapters.ItemOutcome;
import cn.onecard.adapters.PaymentInstruction;
import cn.onecard.adapters.ReversalAnswer;
import cn.onecard.adapters.SendReceipt;
import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.ExchangeOutcome;
import cn.onecard.iso8583.IsoClient;
import cn.onecard.iso8583.IsoMessage;
import cn.onecard.iso8583.MacKeys;
import cn.onecard.iso8583.ResultCode;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An agent bank whose host takes one credit per ISO 8583 message on a dedicated line
 * (docs/online-banks.md). Every exchange carries the item's bank reference as its RRN (field 37), so
 * a credit sent again is the same credit to the bank, and an inquiry or a reversal names it. The
 * adapter decides nothing about money: each exchange becomes exactly one of the contract's answers,
 * and whatever does not prove an outcome (no answer, a dropped connection, a bad MAC, a duplicate, a
 * code the table lacks) is unknown, never a refusal.
 */
public final class IsoBankAdapter implements BankAdapter {

    private static final DateTimeFormatter TRANSMISSION = DateTimeFormatter.ofPattern("MMddHHmmss");
    private static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("HHmmss");
    private static final DateTimeFormatter LOCAL_DATE = DateTimeFormatter.ofPattern("MMdd");
    /** Resident identity card, the document the subsidy rolls hold. */
    private static final String ID_TYPE_RESIDENT_CARD = "01";

    private final IsoBankConfig config;
    private final Dialect dialect;
    private final Clock clock;
    private final IsoClient client;
    private final BankCapabilities capabilities;

    public IsoBankAdapter(IsoBankConfig config, Clock clock) {
        this.config = config;
        this.dialect = config.dialect();
        this.clock = clock;
        this.capabilities = new BankCapabilities(BankCapabilities.Mode.ONLINE, config.verifiesAccounts(), true,
                config.reverses(), 1, config.operationsPerSecond(),
                Math.min(config.inFlightMax(), BankCapabilities.SENDS_IN_FLIGHT_MAX), List.of(), config.resultDeadline());
        this.client = IsoClient.start(new IsoClient.Config(dialect, config.host())
                .name("bank " + config.bankCode())
                .connections(config.connections())
                .inFlightMax(config.inFlightMax())
                .requestTimeout(config.requestTimeout())
                .echoInterval(config.echoInterval())
                .identityField("41", config.terminalId())
                .macKeys(config.macKey() == null ? MacKeys.none() : MacKeys.single(config.macKey()))
                .clock(clock));
    }

    @Override
    public String bankCode() {
        return config.bankCode();
    }

    @Override
    public BankCapabilities capabilities() {
        return capabilities;
    }

    /** Waits until a connection to the host is open; false if none opened in time. */
    public boolean awaitConnected(java.time.Duration timeout) {
        return client.awaitConnected(timeout);
    }

    // ------------------------------------------------------------------ credit

    @Override
    public CompletionStage<SendReceipt> send(Dispatch dispatch) {
        PaymentInstruction item = dispatch.onlyInstruction();
        Optional<String> rrn = RetrievalReference.of(item.bankReference());
        if (rrn.isEmpty()) {
            return CompletableFuture.completedFuture(new SendReceipt.NotEncodable(Map.of(item.bankReference(),
                    "the bank reference is not OC and 18 digits, which an RRN can carry")));
        }
        IsoMessage credit = exchangeFor("credit", item, rrn.get());
        set(credit, 4, amount(item.amountFen()));
        set(credit, 102, config.payerAccount());
        set(credit, 103, item.cardNumber());
        return client.send(credit).thenApply(outcome -> creditReceipt(item, rrn.get(), outcome));
    }

    private SendReceipt creditReceipt(PaymentInstruction item, String rrn, ExchangeOutcome outcome) {
        return switch (outcome) {
            case ExchangeOutcome.NotSent notSent -> switch (notSent.reason()) {
                case ENCODING_FAILED, MISSING_MATCH_FIELDS -> new SendReceipt.NotEncodable(Map.of(item.bankReference(),
                        "the dialect cannot carry the credit (" + notSent.reason() + ")"));
                case NO_CONNECTION, IN_FLIGHT_LIMIT, DUPLICATE_KEY, WRITE_FAILED, CLIENT_CLOSED ->
                        new SendReceipt.NotSent("credit not sent: " + notSent.reason());
            };
            case ExchangeOutcome.Unknown unknown -> new SendReceipt.Unknown("credit sent, no trustworthy answer: "
                    + unknown.reason());
            case ExchangeOutcome.Answered answered -> {
                IsoMessage response = answered.response();
                if (!rrn.equals(response.get(37))) {
                    yield new SendReceipt.Unknown("the answer names another RRN");
                }
                String code = response.get(39);
                ResultCode meaning = dialect.codes().meaningOf(code);
                yield switch (meaning.disposition()) {
                    case APPROVED -> new SendReceipt.Answered(List.of(new ItemOutcome(item.bankReference(), BankOutcome.PAID,
                            code, item.amountFen())));
                    case DECLINED -> new SendReceipt.Answered(List.of(new ItemOutcome(item.bankReference(),
                            refusal(meaning), code, item.amountFen())));
                    case NOT_PROCESSED -> new SendReceipt.Answered(List.of(new ItemOutcome(item.bankReference(),
                            BankOutcome.BANK_BUSY, code, item.amountFen())));
                    // a duplicate says the bank has the RRN, not what became of it: settled by inquiry
                    case UNKNOWN -> new SendReceipt.Unknown("the bank answered " + code + " (" + meaning + ")");
                };
            }
        };
    }

    // ------------------------------------------------------------------ verification

    @Override
    public CompletionStage<AccountCheck> verify(Dispatch dispatch) {
        if (!config.verifiesAccounts()) {
            return BankAdapter.super.verify(dispatch);
        }
        PaymentInstruction item = dispatch.onlyInstruction();
        IsoMessage verification = exchangeFor("account-verification", item, null);
        verification.set("48.1", item.holderName());
        verification.set("48.2", ID_TYPE_RESIDENT_CARD);
        verification.set("48.3", item.idNumber());
        return client.send(verification).thenApply(outcome -> switch (outcome) {
            case ExchangeOutcome.NotSent notSent -> new AccountCheck.Unknown("verification not sent: " + notSent.reason());
            case ExchangeOutcome.Unknown unknown -> new AccountCheck.Unknown("verification unanswered: " + unknown.reason());
            case ExchangeOutcome.Answered answered -> {
                String code = answered.response().get(39);
                ResultCode meaning = dialect.codes().meaningOf(code);
                yield switch (meaning.disposition()) {
                    case APPROVED -> new AccountCheck.Valid();
                    case DECLINED -> new AccountCheck.Invalid(refusal(meaning), code);
                    case NOT_PROCESSED, UNKNOWN -> new AccountCheck.Unknown("the bank answered " + code + " (" + meaning + ")");
                };
            }
        });
    }

    // ------------------------------------------------------------------ inquiry and reversal

    @Override
    public CompletionStage<InquiryAnswer> inquire(Dispatch dispatch) {
        PaymentInstruction item = dispatch.onlyInstruction();
        Optional<String> rrn = RetrievalReference.of(item.bankReference());
        if (rrn.isEmpty()) {
            return CompletableFuture.completedFuture(new InquiryAnswer.Unknown("the bank reference cannot be an RRN"));
        }
        IsoMessage inquiry = exchangeFor("status-inquiry", item, rrn.get());
        return client.send(inquiry).thenApply(outcome -> switch (outcome) {
            case ExchangeOutcome.NotSent notSent -> new InquiryAnswer.Unknown("inquiry not sent: " + notSent.reason());
            case ExchangeOutcome.Unknown unknown -> new InquiryAnswer.Unknown("inquiry unanswered: " + unknown.reason());
            case ExchangeOutcome.Answered answered -> inquiryAnswer(item, rrn.get(), answered.response());
        });
    }

    private InquiryAnswer inquiryAnswer(PaymentInstruction item, String rrn, IsoMessage response) {
        if (!rrn.equals(response.get(37))) {
            return new InquiryAnswer.Unknown("the answer names another RRN");
        }
        String code = response.get(39);
        ResultCode meaning = dialect.codes().meaningOf(code);
        if (meaning == ResultCode.ORIGINAL_NOT_FOUND) {
            return new InquiryAnswer.NotFound();
        }
        return switch (meaning.disposition()) {
            case APPROVED -> {
                if (response.has(4) && !response.get(4).matches("[0-9]{1,12}")) {
                    yield new InquiryAnswer.Unknown("the bank's amount does not read as fen");
                }
                long paidFen = response.has(4) ? Long.parseLong(response.get(4)) : item.amountFen();
                yield paidFen == item.amountFen()
                        ? new InquiryAnswer.Found(List.of(new ItemOutcome(item.bankReference(), BankOutcome.PAID, code, paidFen)))
                        : new InquiryAnswer.Unknown("the bank reports another amount under the RRN");
            }
            case DECLINED -> new InquiryAnswer.Found(List.of(new ItemOutcome(item.bankReference(), refusal(meaning), code,
                    item.amountFen())));
            case NOT_PROCESSED, UNKNOWN -> new InquiryAnswer.Unknown("the bank answered " + code + " (" + meaning + ")");
        };
    }

    @Override
    public CompletionStage<ReversalAnswer> reverse(Dispatch dispatch) {
        if (!config.reverses()) {
            return BankAdapter.super.reverse(dispatch);
        }
        PaymentInstruction item = dispatch.onlyInstruction();
        Optional<String> rrn = RetrievalReference.of(item.bankReference());
        if (rrn.isEmpty()) {
            return CompletableFuture.completedFuture(new ReversalAnswer.Unknown("the bank reference cannot be an RRN"));
        }
        IsoMessage reversal = exchangeFor("reversal", item, rrn.get());
        set(reversal, 4, amount(item.amountFen()));
        set(reversal, 102, config.payerAccount());
        set(reversal, 103, item.cardNumber());
        if (dialect.defines(reversal.mti(), 61)) {
            reversal.set("61.1", dialect.messageTypes().get("credit").mti());
        }
        return client.send(reversal).thenApply(outcome -> switch (outcome) {
            case ExchangeOutcome.NotSent notSent -> new ReversalAnswer.Unknown("reversal not sent: " + notSent.reason());
            case ExchangeOutcome.Unknown unknown -> new ReversalAnswer.Unknown("reversal unanswered: " + unknown.reason());
            case ExchangeOutcome.Answered answered -> {
                String code = answered.response().get(39);
                ResultCode meaning = dialect.codes().meaningOf(code);
                if (!rrn.get().equals(answered.response().get(37))) {
                    yield new ReversalAnswer.Unknown("the answer names another RRN");
                }
                yield meaning == ResultCode.APPROVED ? new ReversalAnswer.Reversed(code)
                        : meaning == ResultCode.ORIGINAL_NOT_FOUND ? new ReversalAnswer.OriginalNotFound()
                        : new ReversalAnswer.Unknown("the bank answered " + code + " (" + meaning + ")");
            }
        });
    }

    /** An online bank's answers come back on their exchanges: nothing waits to be collected. */
    @Override
    public void collect(BankReportHandler handler) {
    }

    @Override
    public void close() {
        client.close();
    }

    // ------------------------------------------------------------------ messages

    /** A request of {@code type} for the item: the fields every exchange with the host carries. */
    private IsoMessage exchangeFor(String type, PaymentInstruction item, String rrn) {
        IsoMessage message = dialect.newMessage(type);
        LocalDateTime now = LocalDateTime.now(clock);
        set(message, 2, item.cardNumber());
        set(message, 7, TRANSMISSION.format(now));
        message.set(11, client.nextStan());
        set(message, 12, LOCAL_TIME.format(now));
        set(message, 13, LOCAL_DATE.format(now));
        set(message, 32, config.acquirerId());
        if (rrn != null) {
            set(message, 37, rrn);
        }
        set(message, 41, config.terminalId());
        set(message, 42, config.merchantId());
        return message;
    }

    private void set(IsoMessage message, int field, String value) {
        if (dialect.defines(message.mti(), field)) {
            message.set(field, value);
        }
    }

    private static String amount(long fen) {
        return String.format("%012d", fen);
    }

    /** The gateway's outcome for a host's refusal of an item: it proves the money did not move. */
    static BankOutcome refusal(ResultCode code) {
        return switch (code) {
            case HOLDER_MISMATCH -> BankOutcome.BANK_NAME_MISMATCH;
            case ACCOUNT_CLOSED -> BankOutcome.BANK_ACCOUNT_CLOSED;
            case ACCOUNT_FROZEN -> BankOutcome.BANK_ACCOUNT_FROZEN;
            case CARD_NOT_ACTIVATED -> BankOutcome.BANK_ACCOUNT_NOT_ACTIVATED;
            case INVALID_CARD_NUMBER, NO_SUCH_ISSUER -> BankOutcome.BANK_ACCOUNT_NOT_FOUND;
            case LOST_CARD, STOLEN_CARD, EXPIRED_CARD, RETAIN_CARD, RESTRICTED_CARD -> BankOutcome.BANK_CARD_STATUS_ABNORMAL;
            case NOT_ALLOWED_FOR_CARD -> BankOutcome.BANK_CREDIT_RESTRICTED;
            case INVALID_MERCHANT, DO_NOT_HONOUR, INVALID_TRANSACTION, INVALID_AMOUNT, ORIGINAL_NOT_FOUND, INSUFFICIENT_FUNDS,
                 WRONG_PIN, NOT_ALLOWED_ON_TERMINAL, AMOUNT_OVER_LIMIT, AMOUNT_DIFFERS_FROM_ORIGINAL, WITHDRAWAL_COUNT_EXCEEDED,
                 PIN_TRIES_EXCEEDED, TERMINAL_NOT_REGISTERED, PIN_FORMAT_ERROR -> BankOutcome.BANK_REJECTED_OTHER;
            case APPROVED, FORMAT_ERROR, TIMED_OUT, CUTOVER_IN_PROGRESS, ISSUER_UNAVAILABLE, DUPLICATE_TRANSMISSION,
                 SYSTEM_MALFUNCTION, ISSUER_TIMED_OUT, MAC_ERROR, UNRECOGNISED ->
                    throw new IllegalArgumentException(code + " is not a refusal of an item");
        };
    }
}
