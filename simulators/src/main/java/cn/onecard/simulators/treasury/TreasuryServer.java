package cn.onecard.simulators.treasury;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The treasury's HTTP side: {@code /callbacks} and, in a world run, the control endpoints. A virtual thread per exchange. */
public final class TreasuryServer implements AutoCloseable {

    public static final String CALLBACKS_PATH = "/callbacks";

    private final HttpServer server;
    private final ExecutorService executor;

    private TreasuryServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** @param more further handlers by path (the control API), may be empty */
    public static TreasuryServer start(InetSocketAddress address, CallbackReceiver receiver, Map<String, HttpHandler> more) throws IOException {
        HttpServer server = HttpServer.create(address, 128);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext(CALLBACKS_PATH, receiver);
        more.forEach(server::createContext);
        server.start();
        return new TreasuryServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://HOST:PORT}, the host as bound. */
    public String baseUrl() {
        return "http://" + server.getAddress().getHostString() + ":" + port();
    }

    public String callbackUrl() {
        return baseUrl() + CALLBACKS_PATH;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }
}
