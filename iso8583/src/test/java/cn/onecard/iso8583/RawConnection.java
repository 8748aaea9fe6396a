package cn.onecard.iso8583;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/** A plain socket that writes bytes and reads whole frames, for testing a server with no client code of ours in between. */
final class RawConnection implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final LengthHeader lengthHeader;

    RawConnection(InetSocketAddress address, Framing framing) {
        try {
            socket = new Socket(address.getAddress(), address.getPort());
            socket.setSoTimeout(10_000);
            socket.setTcpNoDelay(true);
            in = socket.getInputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        lengthHeader = framing.lengthHeader();
    }

    RawConnection send(byte[] bytes) {
        try {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** The next whole frame, length header included; null when the server closed the connection. */
    byte[] readFrame() {
        try {
            byte[] header = in.readNBytes(lengthHeader.bytes());
            if (header.length < lengthHeader.bytes()) {
                return null;
            }
            int length = lengthHeader.read(header, 0);
            byte[] body = in.readNBytes(length);
            byte[] frame = new byte[header.length + body.length];
            System.arraycopy(header, 0, frame, 0, header.length);
            System.arraycopy(body, 0, frame, header.length, body.length);
            return frame;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no frame within 10 s");
        } catch (IOException e) {
            return null; // reset by the server
        }
    }

    /** Whether the server has closed the connection (reads end) within the socket timeout. */
    boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    RawConnection timeout(int millis) {
        try {
            socket.setSoTimeout(millis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test socket
        }
    }
}
