package cn.onecard.benchmarks.iso8583;

import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.Dialects;
import cn.onecard.iso8583.IsoMessage;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.packager.GenericPackager;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Packing and unpacking one typical request per dialect (a UnionPay-style balance inquiry of 14
 * fields with sub-fields; a host credit of 13 or 10 fields), whole frames with length header, and
 * beside each, jPOS's GenericPackager packing and unpacking the same message from the same spec
 * (message bytes only: jPOS's channel adds the length header and TPDU).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class Iso8583CodecBenchmark {

    @Param({"cup-pos", "agent-ascii87", "agent-bcd"})
    public String dialectName;

    private Dialect dialect;
    private IsoMessage message;
    private byte[] frame;
    private GenericPackager jposPackager;
    private ISOMsg jposMessage;
    private byte[] jposImage;

    @Setup
    public void setUp() throws Exception {
        dialect = Dialects.builtIn().get(dialectName);
        message = typicalRequest(dialect);
        frame = dialect.encode(message);
        String spec = switch (dialectName) {
            case "cup-pos" -> "cup-pos.xml";
            case "agent-ascii87" -> "agent-ascii87.xml";
            default -> "agent-bcd.xml";
        };
        try (InputStream in = Dialects.class.getResourceAsStream("/cn/onecard/iso8583/dialects/" + spec)) {
            jposPackager = new GenericPackager(in);
        }
        jposMessage = new ISOMsg();
        jposMessage.setPackager(jposPackager);
        int prefix = dialect.framing().lengthHeader().bytes() + dialect.framing().tpduBytes() + dialect.framing().headerBytes();
        jposMessage.unpack(java.util.Arrays.copyOfRange(frame, prefix, frame.length));
        jposImage = jposMessage.pack();
    }

    static IsoMessage typicalRequest(Dialect dialect) {
        return switch (dialect.name()) {
            case "cup-pos" -> dialect.newMessage("balance-inquiry").set(2, "6228480402564890018").set(11, "000123").set(22, "021")
                    .set(26, "06").set(35, "6228480402564890018=4912120").set(41, "12345678").set(42, "123456789012345")
                    .set(49, "156").setBytes(52, new byte[]{1, 2, 3, 4, 5, 6, 7, 8}).set("53.1", "2").set("53.2", "6")
                    .set("53.3", "00000000000000").set("60.2", "000001").setBytes(64, new byte[8]);
            case "agent-ascii87" -> dialect.newMessage("credit").set(2, "6228480402564890018").set(4, "000000009000")
                    .set(7, "1123103015").set(11, "000043").set(12, "103015").set(13, "1123").set(32, "48021000")
                    .set(41, "TERM0001").set(102, "62010001000000001").set(103, "6228480402564890018").setBytes(128, new byte[8]);
            default -> dialect.newMessage("credit").set(2, "6228480402564890018").set(4, "000000009000").set(11, "000044")
                    .set(41, "TERM0002").set(102, "62010001000000001").set(103, "6228480402564890018").setBytes(128, new byte[8]);
        };
    }

    @Benchmark
    public byte[] pack() {
        return dialect.encode(message);
    }

    @Benchmark
    public IsoMessage unpack() {
        return dialect.decode(frame);
    }

    @Benchmark
    public byte[] jposPack() throws Exception {
        return jposMessage.pack();
    }

    @Benchmark
    public ISOMsg jposUnpack() throws Exception {
        ISOMsg unpacked = new ISOMsg();
        unpacked.setPackager(jposPackager);
        unpacked.unpack(jposImage);
        return unpacked;
    }
}
