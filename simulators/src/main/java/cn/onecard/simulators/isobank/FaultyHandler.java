package cn.onecard.simulators.isobank;

import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.IsoMessage;
import cn.onecard.iso8583.Peer;
import cn.onecard.iso8583.RequestHandler;
import cn.onecard.iso8583.ResultCode;
import java.util.Random;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Puts the host's {@link IsoBankFaults} between the line and the bank's core. */
final class FaultyHandler implements RequestHandler {

    private static final Logger log = LoggerFactory.getLogger(FaultyHandler.class);

    private final Dialect dialect;
    private final RequestHandler core;
    private final Supplier<IsoBankFaults> faults;
    private final Random random;

    FaultyHandler(Dialect dialect, RequestHandler core, Supplier<IsoBankFaults> faults, Random random) {
        this.dialect = dialect;
        this.core = core;
        this.faults = faults;
        this.random = random;
    }

    @Override
    public IsoMessage handle(IsoMessage request, Peer peer) throws Exception {
        IsoBankFaults now = faults.get();
        IsoBankFaults.Draw draw;
        synchronized (random) {
            draw = now.draw(random);
        }
        if (draw.busy()) {
            log.info("iso bank fault: {} trace {} answered busy, not acted on", request.mti(), trace(request));
            return dialect.responseTo(request).set(39, dialect.codes().codeFor(ResultCode.ISSUER_UNAVAILABLE));
        }
        IsoMessage answer = core.handle(request, peer);
        if (draw.late()) {
            log.info("iso bank fault: answer to {} trace {} held back {}", request.mti(), trace(request), now.lateBy());
            Thread.sleep(now.lateBy());
        }
        if (draw.dropAnswer()) {
            log.info("iso bank fault: answer to {} trace {} dropped after acting", request.mti(), trace(request));
            return null;
        }
        return answer;
    }

    private static String trace(IsoMessage request) {
        return request.has(11) ? request.get(11) : "-";
    }
}
