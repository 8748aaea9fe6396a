package cn.onecard.benchmarks.iso8583;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jpos.core.SimpleConfiguration;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISORequestListener;
import org.jpos.iso.ISOResponseListener;
import org.jpos.iso.ISOServer;
import org.jpos.iso.ISOSource;
import org.jpos.iso.ISOUtil;
import org.jpos.iso.MUX;
import org.jpos.iso.channel.NACChannel;
import org.jpos.iso.packager.GenericPackager;
import org.jpos.q2.Q2;
import org.jpos.q2.iso.QMUX;

/**
 * jPOS's own stack, as a bank engineer would deploy it: an {@link ISOServer} with a
 * {@link NACChannel} (2-byte length, TPDU) answering in its request listener, and a Q2-hosted
 * ChannelAdaptor with a stock {@link QMUX} (matching on 41 and 11) as the client, both on the same
 * GenericPackager spec as OneCard's dialect, so that the frames are the same bytes. Q2 runs with its
 * JFR recording, deploy-directory scan and shutdown hook off, which only helps it.
 */
final class JposStack implements LoopbackRun.Stack {

    private static final String TPDU = "6000010000";
    /** Fields the answer carries back, as OneCard's agent-bcd reply fields give them for this request. */
    private static final int[] REPLY_FIELDS = {2, 3, 4, 11, 41, 49, 102, 103};

    private final ISOServer server;
    private final Thread serverThread;
    private final Q2 q2;
    private final MUX mux;
    private final Path work;

    JposStack(LoopbackDialect dialect) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        String spec = dialect.spec().toString();
        server = new ISOServer(port, new NACChannel(new GenericPackager(spec), ISOUtil.str2bcd(TPDU, false)), 0);
        SimpleConfiguration configuration = new SimpleConfiguration();
        configuration.put("bind-address", "127.0.0.1");
        server.setConfiguration(configuration); // creates the session executor: required before accepting
        server.addISORequestListener(new Answerer());
        serverThread = Thread.ofPlatform().daemon().name("jpos-iso-server").start(server);

        work = Files.createTempDirectory("onecard-jpos-q2-");
        Path deploy = Files.createDirectories(work.resolve("deploy"));
        // a logger named Q2 with no listener keeps Q2 from logging to standard output
        Files.writeString(deploy.resolve("00_logger.xml"), "<logger name=\"Q2\" class=\"org.jpos.q2.qbean.LoggerAdaptor\"/>\n");
        Files.writeString(deploy.resolve("10_channel.xml"), """
                <channel-adaptor name="client-channel" class="org.jpos.q2.iso.ChannelAdaptor" logger="Q2">
                  <channel class="org.jpos.iso.channel.NACChannel" packager="org.jpos.iso.packager.GenericPackager" header="%s">
                    <property name="packager-config" value="%s"/>
                    <property name="host" value="127.0.0.1"/>
                    <property name="port" value="%d"/>
                  </channel>
                  <in>client-send</in>
                  <out>client-receive</out>
                  <reconnect-delay>1000</reconnect-delay>
                </channel-adaptor>
                """.formatted(TPDU, spec, port));
        Files.writeString(deploy.resolve("20_mux.xml"), """
                <mux name="client" class="org.jpos.q2.iso.QMUX" logger="Q2">
                  <in>client-receive</in>
                  <out>client-send</out>
                  <ready>client-channel.ready</ready>
                  <key>41, 11</key>
                </mux>
                """);
        q2 = new Q2(new String[]{"-d", deploy.toString(), "-Nf", "-Nh", "-Ns", "-Nd"});
        q2.start();
        if (!q2.ready(30_000)) {
            throw new IllegalStateException("Q2 did not start");
        }
        mux = QMUX.getMUX("client");
        long deadline = System.currentTimeMillis() + 15_000;
        while (!mux.isConnected()) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("jPOS MUX did not connect");
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void send(long sequence, LoopbackRun.Driver driver) {
        long start = System.nanoTime();
        try {
            ISOMsg request = new ISOMsg("0200");
            request.set(2, "6228480402564890018");
            request.set(3, "400000");
            request.set(4, "000000009000");
            request.set(11, LoopbackDialect.stan(sequence));
            request.set(41, LoopbackDialect.TERMINAL);
            request.set(49, "156");
            request.set(102, "62010001000000001");
            request.set(103, "6228480402564890018");
            mux.request(request, 30_000, new ISOResponseListener() {
                @Override
                public void responseReceived(ISOMsg response, Object handBack) {
                    driver.done(start, "00".equals(response.getString(39)));
                }

                @Override
                public void expired(Object handBack) {
                    driver.done(start, false);
                }
            }, null);
        } catch (ISOException e) {
            driver.done(start, false);
        }
    }

    @Override
    public void close() throws Exception {
        q2.shutdown(true);
        server.shutdown();
        serverThread.join(5_000);
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }

    /** The server's request listener: the answer, built as OneCard's handler builds it. */
    private static final class Answerer implements ISORequestListener {
        @Override
        public boolean process(ISOSource source, ISOMsg request) {
            try {
                ISOMsg response = new ISOMsg("0210");
                response.setHeader(request.getISOHeader()); // NACChannel swaps the TPDU's addresses when it sends
                for (int field : REPLY_FIELDS) {
                    if (request.hasField(field)) {
                        response.set(field, request.getString(field));
                    }
                }
                response.set(39, "00");
                source.send(response);
            } catch (ISOException | IOException e) {
                throw new IllegalStateException(e);
            }
            return true;
        }
    }
}
