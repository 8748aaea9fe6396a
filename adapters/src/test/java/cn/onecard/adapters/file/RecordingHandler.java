package cn.onecard.adapters.file;

import cn.onecard.adapters.BankReport;
import cn.onecard.adapters.BankReportHandler;
import java.util.ArrayList;
import java.util.List;

/** A ledger stand-in: records what it is given, and refuses the next few reports on request. */
final class RecordingHandler implements BankReportHandler {

    /** Results, in the order they came. */
    final List<BankReport.Results> deliveries = new ArrayList<>();
    /** Every other report: refusals, unusable results, an unreachable bank. */
    final List<BankReport> others = new ArrayList<>();
    int reportsToRefuse;

    @Override
    public void accept(BankReport report) throws Exception {
        if (reportsToRefuse > 0) {
            reportsToRefuse--;
            throw new Exception("ledger unavailable");
        }
        if (report instanceof BankReport.Results results) {
            deliveries.add(results);
        } else {
            others.add(report);
        }
    }
}
