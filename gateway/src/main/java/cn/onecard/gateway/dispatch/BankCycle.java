package cn.onecard.gateway.dispatch;

import cn.onecard.adapters.BankAdapter;
import cn.onecard.adapters.BankAlert;
import cn.onecard.adapters.BankCapabilities;
import cn.onecard.adapters.Dispatch;
import cn.onecard.adapters.SendReceipt;
import cn.onecard.gateway.ledger.Leases;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bank's work, run on a schedule by whichever node holds the bank's lease: take in results,
 * put ready items into dispatches (at once, or at the bank's cut-offs), send what is due, and chase
 * results that are overdue by sending the same dispatch again, then giving up to UNKNOWN.
 */
public final class BankCycle {

    private static final Logger log = LoggerFactory.getLogger(BankCycle.class);
    public static final int DISPATCHES_PER_CYCLE_MAX = 100;

    /** Limits of the cycle. */
    public record Settings(Duration leaseTtl, Duration retryAfter, int resendsMax, String overdueCode) {
    }

    private final BankAdapter adapter;
    private final DispatchLedger dispatches;
    private final ResultLedger results;
    private final Leases leases;
    private final Clock clock;
    private final ZoneId zone;
    private final Settings settings;
    private final String leaseName;

    public BankCycle(BankAdapter adapter, DispatchLedger dispatches, ResultLedger results, Leases leases, Clock clock,
            ZoneId zone, Settings settings) {
        this.adapter = adapter;
        this.dispatches = dispatches;
        this.results = results;
        this.leases = leases;
        this.clock = clock;
        this.zone = zone;
        this.settings = settings;
        this.leaseName = "bank:" + adapter.bankCode();
    }

    public String bankCode() {
        return adapter.bankCode();
    }

    /** Runs one cycle if this node holds (or takes) the bank's lease; returns whether it ran. */
    public boolean runOnce() throws Exception {
        if (!leases.acquire(leaseName, settings.leaseTtl())) {
            return false;
        }
        adapter.collect(results);
        prepareDue();
        sendDue();
        chaseOverdue();
        return true;
    }

    private void prepareDue() {
        BankCapabilities capabilities = adapter.capabilities();
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(zone));
        if (!capabilities.cutOffs().isEmpty() && !pastUnservedCutOff(capabilities, now)) {
            return;
        }
        LocalDate businessDate = now.toLocalDate();
        for (int files = 0; files < DISPATCHES_PER_CYCLE_MAX; files++) {
            if (files > 0 && !leases.acquire(leaseName, settings.leaseTtl())) {
                return;
            }
            int claimed = dispatches.prepare(adapter.bankCode(), capabilities.dispatchItemsMax(), businessDate);
            if (claimed < capabilities.dispatchItemsMax()) {
                break;
            }
        }
    }

    /** True when a cut-off has passed today since the last dispatch of this bank was prepared. */
    private boolean pastUnservedCutOff(BankCapabilities capabilities, ZonedDateTime now) {
        LocalTime latestPassed = null;
        for (LocalTime cutOff : capabilities.cutOffs()) {
            if (!cutOff.isAfter(now.toLocalTime()) && (latestPassed == null || cutOff.isAfter(latestPassed))) {
                latestPassed = cutOff;
            }
        }
        if (latestPassed == null) {
            return false;
        }
        ZonedDateTime cutOffToday = now.toLocalDate().atTime(latestPassed).atZone(zone);
        return dispatches.lastPreparedAt(adapter.bankCode()).map(last -> last.isBefore(cutOffToday.toInstant()))
                .orElse(true);
    }

    private void sendDue() {
        for (DispatchLedger.PendingDispatch pending : dispatches.dueForSending(adapter.bankCode(), DISPATCHES_PER_CYCLE_MAX)) {
            // a cycle of many sends may outlast the lease: renewed before each, and given up when lost,
            // so that two nodes never write the same file at once
            if (!leases.acquire(leaseName, settings.leaseTtl())) {
                return;
            }
            Dispatch dispatch = dispatches.load(pending);
            SendReceipt receipt;
            try {
                receipt = adapter.send(dispatch);
            } catch (RuntimeException e) {
                // one dispatch the adapter cannot handle must not keep the bank's other dispatches waiting
                receipt = new SendReceipt.NotSent("the adapter failed: " + e.getClass().getSimpleName());
            }
            dispatches.recordSend(pending, receipt, adapter.capabilities().resultDeadline(), settings.retryAfter());
            switch (receipt) {
                case SendReceipt.Sent sent -> log.info("dispatch {} sent to {} as {} ({} items, attempt {})",
                        pending.dispatchId(), adapter.bankCode(), sent.transportName(), dispatch.instructions().size(),
                        dispatch.sendAttempt());
                case SendReceipt.NotSent notSent -> {
                    log.warn("dispatch {} not sent to {}: {}; retrying in {}",
                            pending.dispatchId(), adapter.bankCode(), notSent.reason(), settings.retryAfter());
                    results.alert(new BankAlert(adapter.bankCode(), BankAlert.Kind.DISPATCH_NOT_SENT, pending.dispatchId(),
                            notSent.reason()));
                }
                case SendReceipt.Unknown unknown -> log.warn("dispatch {} may not have reached {}: {}; sending it again "
                        + "under the same id in {}", pending.dispatchId(), adapter.bankCode(), unknown.reason(), settings.retryAfter());
            }
        }
    }

    private void chaseOverdue() throws Exception {
        for (DispatchLedger.OverdueDispatch overdue : dispatches.overdue(adapter.bankCode())) {
            if (overdue.itemsWaiting() == 0) {
                dispatches.settleIfDone(overdue.dispatchPk());
            } else if (overdue.overdueResends() < settings.resendsMax()) {
                log.warn("dispatch {}: {} results overdue at {}; sending the same file again (resend {} of {})",
                        overdue.dispatchId(), overdue.itemsWaiting(), adapter.bankCode(), overdue.overdueResends() + 1,
                        settings.resendsMax());
                dispatches.scheduleResend(overdue.dispatchPk());
            } else {
                results.giveUp(overdue.dispatchId(), settings.overdueCode());
                dispatches.settleIfDone(overdue.dispatchPk());
            }
        }
    }
}
