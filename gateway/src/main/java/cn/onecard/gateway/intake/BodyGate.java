package cn.onecard.gateway.intake;

import cn.onecard.gateway.api.ApiCode;
import cn.onecard.gateway.api.ApiException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Bounds the request bodies being read before their signature is known: so many per client and so
 * many in all, refused at once beyond that ({@code SERVICE_UNAVAILABLE}, retryable). A slow or
 * hostile sender holds a permit while it sends, never a database connection.
 */
public final class BodyGate {

    private final int readingMax;
    private final int readingPerClientMax;
    private final Semaphore reading;
    private final Map<String, Semaphore> readingByClient = new ConcurrentHashMap<>();

    public BodyGate(int readingMax, int readingPerClientMax) {
        if (readingMax < 1 || readingPerClientMax < 1) {
            throw new IllegalArgumentException("at least one body may be read at a time");
        }
        this.readingMax = readingMax;
        this.readingPerClientMax = readingPerClientMax;
        this.reading = new Semaphore(readingMax);
    }

    /** The right to read one body; closing it gives the place back. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /** Takes a place for a body of {@code clientId} (an authenticated header's client), or refuses. */
    public Permit enter(String clientId) {
        Semaphore client = readingByClient.computeIfAbsent(clientId, id -> new Semaphore(readingPerClientMax));
        if (!client.tryAcquire()) {
            throw new ApiException(ApiCode.SERVICE_UNAVAILABLE, "this client already sends " + readingPerClientMax
                    + " bodies at once; retry when one has arrived");
        }
        if (!reading.tryAcquire()) {
            client.release();
            throw new ApiException(ApiCode.SERVICE_UNAVAILABLE, "the gateway already reads " + readingMax
                    + " bodies at once; retry later");
        }
        return new Permit() {
            private boolean open = true;

            @Override
            public synchronized void close() {
                if (open) {
                    open = false;
                    reading.release();
                    client.release();
                }
            }
        };
    }

    /** Bodies being read now. */
    public int reading() {
        return readingMax - reading.availablePermits();
    }
}
