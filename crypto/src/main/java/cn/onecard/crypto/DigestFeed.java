package cn.onecard.crypto;

import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Feeds chunk buffers to a signature's digest, either on the calling thread or, for multi-chunk
 * content, on a second thread. Why a second thread: SM4-GCM runs at about a third of SM3's speed
 * here, so hashing beside the cipher instead of after it keeps envelope throughput near bare GCM.
 *
 * <p>Protocol: take a {@link #buffer()}, fill it, {@link #submit} it and stop writing to it
 * (reading it is still allowed until the next {@code buffer()} call); {@link #finish()} returns
 * once every submitted byte has been fed, with a happens-before edge to the caller.
 */
abstract sealed class DigestFeed implements AutoCloseable {

    interface Sink {
        void update(byte[] data, int offset, int length);
    }

    abstract byte[] buffer() throws InterruptedIOException;

    abstract void submit(byte[] buffer, int length) throws InterruptedIOException;

    abstract void finish() throws InterruptedIOException;

    @Override
    public abstract void close();

    static DigestFeed inline(Sink sink, int bufferBytes) {
        return new Inline(sink, bufferBytes);
    }

    static DigestFeed offloaded(Sink sink, int bufferBytes) {
        return new Offloaded(sink, bufferBytes);
    }

    private static final class Inline extends DigestFeed {
        private final Sink sink;
        private final byte[] buffer;

        Inline(Sink sink, int bufferBytes) {
            this.sink = sink;
            this.buffer = new byte[bufferBytes];
        }

        @Override
        byte[] buffer() {
            return buffer;
        }

        @Override
        void submit(byte[] submitted, int length) {
            sink.update(submitted, 0, length);
        }

        @Override
        void finish() {
        }

        @Override
        public void close() {
        }
    }

    private static final class Offloaded extends DigestFeed {
        /** Buffers in circulation: enough to keep both threads busy, few enough to keep memory flat. */
        static final int BUFFERS = 4;

        private record Slice(byte[] buffer, int length) {
        }

        private static final Slice END = new Slice(new byte[0], 0);

        private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
        private final BlockingQueue<Slice> pending = new ArrayBlockingQueue<>(BUFFERS + 1);
        private final Thread worker;
        private volatile Throwable failure;

        Offloaded(Sink sink, int bufferBytes) {
            for (int i = 0; i < BUFFERS; i++) {
                free.add(new byte[bufferBytes]);
            }
            worker = Thread.ofPlatform().daemon().name("envelope-digest").unstarted(() -> run(sink));
            worker.start();
        }

        private void run(Sink sink) {
            try {
                for (Slice slice = pending.take(); slice != END; slice = pending.take()) {
                    sink.update(slice.buffer(), 0, slice.length());
                    free.put(slice.buffer());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                failure = e;
                free.offer(new byte[0]); // wake a caller blocked in buffer(); it sees the failure
            }
        }

        @Override
        byte[] buffer() throws InterruptedIOException {
            try {
                byte[] buffer = free.take();
                throwIfFailed();
                return buffer;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the digest thread");
            }
        }

        @Override
        void submit(byte[] buffer, int length) throws InterruptedIOException {
            try {
                pending.put(new Slice(buffer, length));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while handing a chunk to the digest thread");
            }
        }

        @Override
        void finish() throws InterruptedIOException {
            try {
                pending.put(END);
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the digest thread");
            }
            throwIfFailed();
        }

        private void throwIfFailed() {
            Throwable thrown = failure;
            if (thrown != null) {
                throw new IllegalStateException("envelope digest thread failed", thrown);
            }
        }

        /**
         * Stops the worker and waits until it has: the sink (a pooled signer) must see no update
         * after this returns, or a signer handed back to its pool could be fed by a dead envelope.
         */
        @Override
        public void close() {
            worker.interrupt();
            boolean interrupted = false;
            while (worker.isAlive()) {
                try {
                    worker.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
