package cn.onecard.adapters.file;

import cn.onecard.adapters.BankAlert;
import cn.onecard.adapters.ResultDelivery;
import cn.onecard.adapters.ResultHandler;
import java.util.ArrayList;
import java.util.List;

/** A ledger stand-in: records what it is given, and refuses the next few deliveries or alerts on request. */
final class RecordingHandler implements ResultHandler {

    final List<ResultDelivery> deliveries = new ArrayList<>();
    final List<BankAlert> alerts = new ArrayList<>();
    int deliveriesToRefuse;
    int alertsToRefuse;

    @Override
    public void accept(ResultDelivery delivery) throws Exception {
        if (deliveriesToRefuse > 0) {
            deliveriesToRefuse--;
            throw new Exception("ledger unavailable");
        }
        deliveries.add(delivery);
    }

    @Override
    public void alert(BankAlert alert) {
        if (alertsToRefuse > 0) {
            alertsToRefuse--;
            throw new IllegalStateException("alert store unavailable");
        }
        alerts.add(alert);
    }
}
