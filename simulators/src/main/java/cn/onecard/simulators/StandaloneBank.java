package cn.onecard.simulators;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An online bank run on its own ({@code iso-bank}, {@code http-bank}): the bank and the world's bank
 * control routes on an HTTP port of its own. Closing stops the control port, then the bank.
 */
record StandaloneBank<B extends AutoCloseable>(B host, HttpServer control, ExecutorService controlThreads)
        implements AutoCloseable {

    /** Opens the control port in front of a started bank; on failure the bank is closed. */
    static <B extends AutoCloseable> StandaloneBank<B> control(B host, String bindHost, int controlPort, BankControlRoutes routes)
            throws Exception {
        ExecutorService controlThreads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            HttpServer control = HttpServer.create(new InetSocketAddress(bindHost, controlPort), 0);
            control.setExecutor(controlThreads);
            control.createContext(BankControlRoutes.PATH, routes);
            control.start();
            return new StandaloneBank<>(host, control, controlThreads);
        } catch (IOException | RuntimeException e) {
            controlThreads.close();
            host.close();
            throw e;
        }
    }

    int controlPort() {
        return control.getAddress().getPort();
    }

    /** Serves until the process is killed, then closes. */
    void serveUntilKilled() throws Exception {
        Thread hook = Serving.closeOnExit(this);
        try {
            Serving.awaitStop(true);
        } finally {
            close();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            control.stop(0);
            controlThreads.close();
        } finally {
            host.close();
        }
    }
}
