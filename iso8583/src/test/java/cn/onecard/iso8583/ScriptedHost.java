package cn.onecard.iso8583;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bank host for testing a client: plain sockets, every request queued for the test to answer,
 * drop, garble or cut off as it likes. It shares the dialect's codec with the client, but none of
 * the client's connection handling.
 */
final class ScriptedHost implements AutoCloseable {

    /** A request the host read, and the connection it came on. */
    record Received(Link link, IsoMessage message) {
    }

    private final Dialect dialect;
    private final ServerSocket listener;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final List<Link> links = new CopyOnWriteArrayList<>();

    ScriptedHost(Dialect dialect) {
        this.dialect = dialect;
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofVirtual().name("scripted-host-accept").start(this::accept);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
    }

    int connectionsAccepted() {
        return links.size();
    }

    Link link(int index) {
        return links.get(index);
    }

    /** The next request, waiting at most {@code timeout}. */
    Received take(Duration timeout) {
        try {
            Received next = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (next == null) {
                throw new AssertionError("no request reached the host within " + timeout);
            }
            return next;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    List<Received> take(int count, Duration timeout) {
        List<Received> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(take(timeout));
        }
        return requests;
    }

    /** Whether no further request arrives within {@code wait}. */
    boolean nothingMoreWithin(Duration wait) {
        try {
            return received.poll(wait.toMillis(), TimeUnit.MILLISECONDS) == null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                socket.setTcpNoDelay(true);
                Link link = new Link(socket);
                links.add(link);
                Thread.ofVirtual().name("scripted-host-read").start(link::read);
            } catch (IOException closed) {
                return;
            }
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        links.forEach(Link::close);
    }

    /** One accepted connection. */
    final class Link {
        private final Socket socket;
        private final OutputStream out;

        Link(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
        }

        private void read() {
            LengthHeader header = dialect.framing().lengthHeader();
            try (InputStream in = socket.getInputStream()) {
                while (true) {
                    byte[] lengthBytes = in.readNBytes(header.bytes());
                    if (lengthBytes.length < header.bytes()) {
                        return;
                    }
                    byte[] body = in.readNBytes(header.read(lengthBytes, 0));
                    byte[] frame = new byte[lengthBytes.length + body.length];
                    System.arraycopy(lengthBytes, 0, frame, 0, lengthBytes.length);
                    System.arraycopy(body, 0, frame, lengthBytes.length, body.length);
                    received.add(new Received(this, dialect.decode(frame)));
                }
            } catch (IOException | MalformedMessageException closedOrGarbled) {
                // the test sees the connection end
            }
        }

        synchronized void write(byte[] bytes) {
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
