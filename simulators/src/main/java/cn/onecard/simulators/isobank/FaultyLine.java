package cn.onecard.simulators.isobank;

import cn.onecard.iso8583.Framing;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The line between the gateway and the bank's {@code IsoServer}: relays requests as they come and
 * answers frame by frame, so that it can do to an answer what a handler cannot: send it twice,
 * cut it off mid-frame and close the connection, garble it; and it can refuse connections. The
 * bank has acted on every request whose answer the line damages. One virtual thread per direction
 * per connection.
 */
final class FaultyLine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FaultyLine.class);

    private final Framing framing;
    private final InetSocketAddress bank;
    private final Supplier<IsoBankFaults> faults;
    private final Random random;
    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicLong connectionIds = new AtomicLong();
    private volatile boolean closed;

    FaultyLine(Framing framing, InetSocketAddress bind, InetSocketAddress bank, Supplier<IsoBankFaults> faults, Random random)
            throws IOException {
        this.framing = framing;
        this.bank = bank;
        this.faults = faults;
        this.random = random;
        this.listener = new ServerSocket();
        listener.bind(bind, 256);
        Thread.ofVirtual().name("iso-bank-line-accept").start(this::accept);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    private void accept() {
        while (!closed) {
            Socket caller;
            try {
                caller = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("iso bank line: accept failed: {}", e.toString());
                }
                return;
            }
            long id = connectionIds.incrementAndGet();
            if (faults.get().refuseConnections()) {
                log.info("iso bank fault: connection #{} refused", id);
                closeQuietly(caller);
                continue;
            }
            Thread.ofVirtual().name("iso-bank-line-" + id).start(() -> connect(id, caller));
        }
    }

    private void connect(long id, Socket caller) {
        Socket upstream = new Socket();
        sockets.add(caller);
        sockets.add(upstream);
        try {
            caller.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            upstream.connect(bank);
            Thread.ofVirtual().name("iso-bank-line-" + id + "-requests").start(() -> {
                try {
                    caller.getInputStream().transferTo(upstream.getOutputStream());
                } catch (IOException ignored) {
                    // either side closed: whichever side ends first closes both, which ends the other
                } finally {
                    closeQuietly(upstream);
                }
            });
            relayAnswers(id, upstream.getInputStream(), caller.getOutputStream());
        } catch (IOException e) {
            log.debug("iso bank line: connection #{} ended: {}", id, e.toString());
        } finally {
            closeQuietly(caller);
            closeQuietly(upstream);
            sockets.remove(caller);
            sockets.remove(upstream);
        }
    }

    /** Copies the bank's answers frame by frame, each with the faults drawn for it, until either side closes. */
    private void relayAnswers(long id, InputStream fromBank, OutputStream toCaller) throws IOException {
        int headerBytes = framing.lengthHeader().bytes();
        while (true) {
            byte[] header = fromBank.readNBytes(headerBytes);
            if (header.length < headerBytes) {
                return;
            }
            int length = framing.lengthHeader().read(header, 0);
            byte[] body = fromBank.readNBytes(Math.max(length, 0));
            if (length < 0 || body.length < length) {
                return;
            }
            byte[] frame = Arrays.copyOf(header, headerBytes + length);
            System.arraycopy(body, 0, frame, headerBytes, length);
            IsoBankFaults.LineDraw draw;
            synchronized (random) {
                draw = faults.get().drawLine(random);
            }
            if (draw.cut()) {
                log.info("iso bank fault: connection #{} closed in the middle of an answer", id);
                toCaller.write(frame, 0, headerBytes + length / 2);
                toCaller.flush();
                throw new SocketException("cut by a fault");
            }
            if (draw.garble()) {
                log.info("iso bank fault: connection #{}: an answer garbled", id);
                // past the length header, TPDU and header: a byte of the MTI, bitmap or fields
                int before = headerBytes + framing.tpduBytes() + framing.headerBytes();
                frame[before + (int) (draw.where() * (frame.length - before))] ^= (byte) 0x5A;
            }
            toCaller.write(frame);
            if (draw.twice()) {
                log.info("iso bank fault: connection #{}: an answer sent twice", id);
                toCaller.write(frame);
            }
            toCaller.flush();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        sockets.forEach(FaultyLine::closeQuietly);
    }
}
