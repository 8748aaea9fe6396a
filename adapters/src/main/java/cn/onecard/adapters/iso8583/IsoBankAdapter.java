package cn.onecard.adapters.iso8583;

import cn.onecard.adapters.AccountCheck;
import cn.onecard.adapters.BankAdapter;
import cn.onecard.adapters.BankCapabilities;
import cn.onecard.adapters.BankOutcome;
import cn.onecard.adapters.BankReport;
import cn.onecard.adapters.BankReportHandler;
import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.InquiryAnswer;
import cn.onecard.adapters.ItemOutcome;
import cn.onecard.adapters.PaymentInstruction;
import cn.onecard.adapters.ReversalAnswer;
import cn.onecard.adapters.SendReceipt;
import cn.onecard.crypto.Sm3;
import cn.onecard.crypto.SymmetricKey;
import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.Disposition;
import cn.onecard.iso8583.ExchangeOutcome;
import cn.onecard.iso8583.IsoClient;
import cn.onecard.iso8583.IsoMessage;
import cn.onecard.iso8583.MacKeys;
import cn.onecard.iso8583.MessageType;
import cn.onecard.iso8583.ResultCode;
import cn.onecard.iso8583.SessionOpener;
import cn.onecard.iso8583.SignOn;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent bank whose host takes one credit per ISO 8583 message on a dedicated line
 * (docs/online-banks.md). Every exchange carries the item's bank reference as its RRN (field 37), so
 * a credit sent again is the same credit to the bank, and an inquiry or a reversal names it. The
 * adapter decides nothing about money: each exchange becomes exactly one of the contract's answers,
 * and whatever does not prove an outcome (no answer, a dropped connection, a bad MAC, a duplicate, a
 * code the table lacks) is unknown, never a refusal.
 *
 * <p>With a zone master key configured, each connection signs on before it carries requests, and
 * the MAC key the host hands out then (checked against its check value) signs that connection's
 * messages: it lives in memory only. Until a connection is signed on nothing is sent, so a credit
 * is {@code NotSent}. A credit or reversal that timed out and is answered late becomes a report
 * ({@link #collect}), which settles its item once.
 */
public final class IsoBankAdapter implements BankAdapter {

    private static final DateTimeFormatter TRANSMISSION = DateTimeFormatter.ofPattern("MMddHHmmss");
    private static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("HHmmss");
    private static final DateTimeFormatter LOCAL_DATE = DateTimeFormatter.ofPattern("MMdd");
    private static final Logger log = LoggerFactory.getLogger(IsoBankAdapter.class);
    /** Late answers waiting for {@link #collect}; beyond it the inquiry settles their items. */
    static final int LATE_REPORTS_MAX = 10_000;
    /** Field 90's institution codes: 11 digits each. */
    private static final int INSTITUTION_DIGITS = 11;
    /** Resident identity card, the document the subsidy rolls hold. */
    private static final String ID_TYPE_RESIDENT_CARD = "01";

    private final IsoBankConfig config;
    private final Dialect dialect;
    private final Clock clock;
    private final IsoClient client;
    private final BankCapabilities capabilities;
    private final UnclearExchanges unclear = new UnclearExchanges();
    /** Late answers turned into reports, waiting for {@link #collect}. */
    private final ConcurrentLinkedQueue<BankReport> lateReports = new ConcurrentLinkedQueue<>();
    private final AtomicInteger lateReportsWaiting = new AtomicInteger();

    public IsoBankAdapter(IsoBankConfig config, Clock clock) {
        this.config = config;
        this.dialect = config.dialect();
        this.clock = clock;
        this.capabilities = new BankCapabilities(BankCapabilities.Mode.ONLINE, config.verifiesAccounts(), true,
                config.reverses(), 1, config.operationsPerSecond(),
                Math.min(config.inFlightMax(), BankCapabilities.SENDS_IN_FLIGHT_MAX), List.of(), config.resultDeadline());
        IsoClient.Config client = new IsoClient.Config(dialect, config.host())
                .name("bank " + config.bankCode())
                .connections(config.connections())
                .inFlightMax(config.inFlightMax())
                .requestTimeout(config.requestTimeout())
                .echoInterval(config.echoInterval())
                .identityField("41", config.terminalId())
                // a dialect that matches answers on 32 (agent-ascii87) needs it in echo tests too
                .identityField("32", config.acquirerId())
                .macKeys(config.macKey() == null ? MacKeys.none() : MacKeys.single(config.macKey()))
                .lateResponses(this::lateAnswer)
                .clock(clock);
        if (config.zoneMasterKey() != null) {
            client.sessions(new SignOnWithWorkingKeys(dialect.signOn().orElseThrow())).sessionRenewal(config.sessionRenewal());
        }
        this.client = IsoClient.start(client);
    }

    @Override
    public String bankCode() {
        return config.bankCode();
    }

    @Override
    public BankCapabilities capabilities() {
        return capabilities;
    }

    /** Waits until a connection to the host is open (and signed on, where it signs on); false if none was in time. */
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
        return client.send(credit).thenApply(outcome -> {
            rememberIfUnclear(dispatch, credit, rrn.get(), outcome);
            return creditReceipt(item, rrn.get(), outcome);
        });
    }

    /**
     * A credit that may stand at the bank without a trustworthy answer: its data elements are kept for
     * the reversal that may follow (90), and, when it timed out, its late answer is awaited.
     */
    private void rememberIfUnclear(Dispatch dispatch, IsoMessage credit, String rrn, ExchangeOutcome outcome) {
        boolean mayStand = switch (outcome) {
            case ExchangeOutcome.NotSent notSent -> false;
            case ExchangeOutcome.Unknown unknown -> true;
            // a duplicate answers an earlier credit under the RRN: this one is not what the bank holds
            case ExchangeOutcome.Answered answered -> {
                ResultCode meaning = dialect.codes().meaningOf(answered.response().get(39));
                yield meaning.disposition() == Disposition.UNKNOWN && meaning != ResultCode.DUPLICATE_TRANSMISSION;
            }
        };
        if (!mayStand) {
            return;
        }
        PaymentInstruction item = dispatch.onlyInstruction();
        unclear.original(item.bankReference(), new UnclearExchanges.OriginalCredit(credit.mti(), credit.get(11),
                text(credit, 7), text(credit, 32), text(credit, 33)));
        if (outcome instanceof ExchangeOutcome.Unknown unknown && unknown.reason() == ExchangeOutcome.UnknownReason.TIMED_OUT) {
            unclear.await(rrn, new UnclearExchanges.Awaited(UnclearExchanges.Kind.CREDIT, dispatch.dispatchId(),
                    item.bankReference(), item.amountFen()));
        }
    }

    private SendReceipt creditReceipt(PaymentInstruction item, String rrn, ExchangeOutcome outcome) {
        return switch (outcome) {
            case ExchangeOutcome.NotSent notSent -> switch (notSent.reason()) {
                case ENCODING_FAILED, MISSING_MATCH_FIELDS -> new SendReceipt.NotEncodable(Map.of(item.bankReference(),
                        "the dialect cannot carry the credit (" + notSent.reason() + ")"));
                case NO_CONNECTION, NO_SESSION, IN_FLIGHT_LIMIT, DUPLICATE_KEY, WRITE_FAILED, CLIENT_CLOSED ->
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
        if (dialect.defines(reversal.mti(), 90)) {
            Optional<UnclearExchanges.OriginalCredit> original = unclear.originalOf(item.bankReference());
            if (original.isEmpty()) {
                // a reversal naming a made-up original could be refused as "not found" and let the credit go again
                return CompletableFuture.completedFuture(new ReversalAnswer.Unknown("reversal not sent: this node does not "
                        + "know the original credit's data elements (90)"));
            }
            setOriginalDataElements(reversal, original.get());
        }
        return client.send(reversal).thenApply(outcome -> switch (outcome) {
            case ExchangeOutcome.NotSent notSent -> new ReversalAnswer.Unknown("reversal not sent: " + notSent.reason());
            case ExchangeOutcome.Unknown unknown -> {
                if (unknown.reason() == ExchangeOutcome.UnknownReason.TIMED_OUT) {
                    unclear.await(rrn.get(), new UnclearExchanges.Awaited(UnclearExchanges.Kind.REVERSAL, dispatch.dispatchId(),
                            item.bankReference(), item.amountFen()));
                }
                yield new ReversalAnswer.Unknown("reversal unanswered: " + unknown.reason());
            }
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

    /** Field 90 as the dialect defines it: every sub-field fixed, an institution code right-aligned in zeros. */
    private static void setOriginalDataElements(IsoMessage reversal, UnclearExchanges.OriginalCredit original) {
        reversal.set("90.1", original.mti());
        reversal.set("90.2", original.trace());
        reversal.set("90.3", original.transmissionDateTime() == null ? "0".repeat(10) : original.transmissionDateTime());
        reversal.set("90.4", institution(original.acquirerId()));
        reversal.set("90.5", institution(original.forwarderId()));
    }

    private static String institution(String id) {
        String digits = id == null ? "" : id;
        return "0".repeat(Math.max(0, INSTITUTION_DIGITS - digits.length())) + digits;
    }

    // ------------------------------------------------------------------ late answers

    /**
     * Hands over the late answers that settle an item, each as a {@link BankReport.Results} of its
     * dispatch; one the handler refuses stays first in line for the next call.
     */
    @Override
    public void collect(BankReportHandler handler) {
        for (BankReport report; (report = lateReports.peek()) != null; ) {
            try {
                handler.accept(report);
            } catch (Exception e) {
                log.warn("bank {}: a late answer's report was not taken ({}); offered again later", config.bankCode(),
                        e.getClass().getSimpleName());
                return;
            }
            lateReports.poll();
            lateReportsWaiting.decrementAndGet();
        }
    }

    /**
     * An answer to a credit or reversal that came after its exchange timed out (its MAC already
     * checked by the client). Called on an event loop: only looks up and queues.
     */
    private void lateAnswer(IsoMessage answer) {
        String rrn = text(answer, 37);
        UnclearExchanges.Kind kind = answers("credit", answer) ? UnclearExchanges.Kind.CREDIT
                : answers("reversal", answer) ? UnclearExchanges.Kind.REVERSAL : null;
        if (rrn == null || kind == null || !answer.has(39)) {
            return;
        }
        Optional<UnclearExchanges.Awaited> awaited = unclear.takeAwaited(kind, rrn);
        if (awaited.isEmpty()) {
            log.info("bank {}: a late {} answer for RRN {} matches no exchange awaited here; ignored", config.bankCode(),
                    kind, rrn);
            return;
        }
        UnclearExchanges.Awaited exchange = awaited.get();
        if (answer.has(4) && !amount(exchange.amountFen()).equals(answer.get(4))) {
            log.warn("bank {}: a late answer for RRN {} names another amount; not trusted", config.bankCode(), rrn);
            return;
        }
        String code = answer.get(39);
        ResultCode meaning = dialect.codes().meaningOf(code);
        BankOutcome outcome = switch (kind) {
            case CREDIT -> switch (meaning.disposition()) {
                case APPROVED -> BankOutcome.PAID;
                case DECLINED -> refusal(meaning);
                // busy or a duplicate proves nothing of the credit's fate: the inquiry settles it
                case NOT_PROCESSED, UNKNOWN -> null;
            };
            case REVERSAL -> meaning == ResultCode.APPROVED ? BankOutcome.BANK_PAYMENT_REVERSED : null;
        };
        if (outcome == null) {
            log.info("bank {}: a late {} answer {} for RRN {} settles nothing", config.bankCode(), kind, code, rrn);
            return;
        }
        if (lateReportsWaiting.incrementAndGet() > LATE_REPORTS_MAX) {
            lateReportsWaiting.decrementAndGet();
            log.warn("bank {}: {} late answers wait to be collected; the one for RRN {} is left to the inquiry",
                    config.bankCode(), LATE_REPORTS_MAX, rrn);
            return;
        }
        String source = "late " + kind.name().toLowerCase(Locale.ROOT) + " answer, RRN " + rrn;
        // the answer's own identity: the same answer taken twice is recognised as one
        String identity = String.join("|", config.bankCode(), exchange.dispatchId(), kind.name(), rrn, answer.mti(),
                String.valueOf(text(answer, 7)), String.valueOf(text(answer, 11)), code);
        lateReports.add(new BankReport.Results(source, exchange.dispatchId(), List.of(new ItemOutcome(exchange.bankReference(),
                outcome, code, exchange.amountFen())), HexFormat.of().formatHex(Sm3.digest(identity.getBytes(StandardCharsets.UTF_8)))));
        log.info("bank {}: a late {} answer {} for RRN {} is reported for dispatch {}", config.bankCode(), kind, code, rrn,
                exchange.dispatchId());
    }

    /** Whether {@code answer} answers a request of the named type: its request class and processing code. */
    private boolean answers(String typeName, IsoMessage answer) {
        MessageType type = dialect.messageTypes().get(typeName);
        if (type == null || !Dialect.isResponse(answer.mti()) || !Dialect.requestClass(answer.mti()).equals(
                Dialect.requestClass(type.mti()))) {
            return false;
        }
        String processing = type.presets().get("3");
        return processing == null || processing.equals(text(answer, 3));
    }

    @Override
    public void close() {
        client.close();
    }

    // ------------------------------------------------------------------ messages

    /** A request of {@code type} for the item: the fields every exchange with the host carries. */
    private IsoMessage exchangeFor(String type, PaymentInstruction item, String rrn) {
        IsoMessage message = stamped(type);
        set(message, 2, item.cardNumber());
        if (rrn != null) {
            set(message, 37, rrn);
        }
        return message;
    }

    /** A request of {@code type} with the gateway's identity, a new trace number and the time. */
    private IsoMessage stamped(String type) {
        IsoMessage message = dialect.newMessage(type);
        LocalDateTime now = LocalDateTime.now(clock);
        set(message, 7, TRANSMISSION.format(now));
        message.set(11, client.nextStan());
        set(message, 12, LOCAL_TIME.format(now));
        set(message, 13, LOCAL_DATE.format(now));
        set(message, 32, config.acquirerId());
        set(message, 41, config.terminalId());
        set(message, 42, config.merchantId());
        return message;
    }

    private void set(IsoMessage message, int field, String value) {
        if (dialect.defines(message.mti(), field)) {
            message.set(field, value);
        }
    }

    private static String text(IsoMessage message, int field) {
        return message.has(field) ? message.get(field) : null;
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

    // ------------------------------------------------------------------ sign-on

    /**
     * Signs a connection on and takes the working keys of the answer, each checked against its check
     * value under the zone master key before use. The PIN key is checked and dropped: credits carry no
     * PIN. A refusal or a key that does not check out leaves the connection unused (the client closes
     * it and signs on again on a new one); a MAC error on any answer asks for a new sign-on.
     */
    private final class SignOnWithWorkingKeys implements SessionOpener {
        private final SignOn signOn;

        SignOnWithWorkingKeys(SignOn signOn) {
            this.signOn = signOn;
        }

        @Override
        public CompletionStage<Optional<SymmetricKey>> open(Session session) {
            return session.send(stamped(signOn.messageType()), config.requestTimeout()).thenApply(outcome -> {
                if (!(outcome instanceof ExchangeOutcome.Answered answered)) {
                    throw new IllegalStateException("sign-on unanswered: " + outcome);
                }
                IsoMessage answer = answered.response();
                String code = text(answer, 39);
                if (code == null || dialect.codes().meaningOf(code) != ResultCode.APPROVED) {
                    throw new IllegalStateException("the host refused the sign-on with " + code);
                }
                SymmetricKey macKey = signOn.macKeyFrom(answer, config.zoneMasterKey());
                signOn.pinKeyFrom(answer, config.zoneMasterKey()).ifPresent(SymmetricKey::destroy);
                log.info("bank {}: connection {} signed on; new working keys taken", config.bankCode(), session.connectionId());
                return Optional.of(macKey);
            });
        }

        @Override
        public boolean asksToSignOnAgain(IsoMessage answer) {
            String code = text(answer, 39);
            return code != null && dialect.codes().meaningOf(code) == ResultCode.MAC_ERROR;
        }
    }
}
