package cn.onecard.iso8583;

import static org.assertj.core.api.Assertions.assertThat;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.crypto.SeededCases;
import cn.onecard.crypto.SymmetricKey;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties over random valid messages of every built-in dialect: what is written reads back the
 * same, as a frame, as a description and with a MAC; a response matches its request.
 */
class RoundTripPropertyTest {

    static Stream<Arguments> messages() {
        return Dialects.builtIn().all().stream().flatMap(dialect -> SeededCases.cases("round trip " + dialect.name(), 300)
                .map(seed -> Arguments.of(Named.of(dialect.name(), dialect), seed)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("messages")
    void frame_writtenAndRead_isTheSameMessage(Dialect dialect, long seed) {
        IsoMessage message = new RandomMessages(dialect, seed).next();

        byte[] frame = dialect.encode(message);
        IsoMessage read = dialect.decode(frame);

        assertThat(read).isEqualTo(message);
        assertThat(dialect.encode(read)).isEqualTo(frame);
    }

    static Stream<Arguments> messageTypes() {
        return Dialects.builtIn().all().stream().flatMap(dialect -> dialect.messageTypes().values().stream()
                .map(type -> Arguments.of(Named.of(dialect.name(), dialect), Named.of(type.name(), type))));
    }

    @org.junit.jupiter.api.Test
    void repeatMessages_pairWithTheAnswersToTheirOriginals() {
        assertThat(Dialect.responseMti("0421")).isEqualTo("0430");
        assertThat(Dialect.responseMti("0200")).isEqualTo("0210");
        assertThat(Dialect.requestClass("0421")).isEqualTo("0420");
        assertThat(Dialect.requestClass("0430")).isEqualTo("0420");
        assertThat(Dialect.requestClass("0832")).isEqualTo("0822");
        Dialect cup = Dialects.builtIn().get("cup-pos");
        IsoMessage repeat = cup.blank("0401").set(11, "000009").set(41, "12345678");
        assertThat(cup.matchKey(cup.responseTo(repeat))).isEqualTo(cup.matchKey(cup.blank("0400").set(11, "000009").set(41, "12345678")));
    }

    /** Every named message type of every dialect, as request and as response, with every field its layout defines filled. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("messageTypes")
    void everyMessageType_asRequestAndResponse_roundTrips(Dialect dialect, MessageType type) {
        RandomMessages values = new RandomMessages(dialect, type.name().hashCode());
        IsoMessage request = values.filled(dialect.newMessage(type.name()));
        IsoMessage response = values.filled(dialect.responseTo(request).set(39, dialect.codes().codeFor(ResultCode.APPROVED)));

        for (IsoMessage message : List.of(request, response)) {
            assertThat(dialect.decode(dialect.encode(message))).isEqualTo(message);
        }
        assertThat(type.matches(dialect.decode(dialect.encode(request)))).isTrue();
        assertThat(dialect.matchKey(response)).isEqualTo(dialect.matchKey(request));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("messages")
    void description_withClearValues_readsBackAsTheSameMessage(Dialect dialect, long seed) {
        IsoMessage message = new RandomMessages(dialect, seed).next();

        Map<String, Object> description = dialect.describe(message, true);

        assertThat(dialect.fromDescription(description)).isEqualTo(message);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("messages")
    void signedMessage_checksOut_andAnotherKeyOrNoMacIsCaught(Dialect dialect, long seed) {
        MacRule rule = dialect.macRule().orElseThrow();
        SplittableRandom random = new SplittableRandom(seed);
        SymmetricKey key = macKey(rule, random);
        IsoMessage message = firstRequiringMac(dialect, rule, seed);
        message.unset(rule.field());

        IsoMessage read = dialect.decode(dialect.encode(message, key));

        assertThat(read.has(rule.field())).isTrue();
        assertThat(dialect.checkMac(read, MacKeys.single(key))).isEqualTo(MacCheck.VALID);
        assertThat(dialect.checkMac(message.copy().setBytes(rule.field(), read.getBytes(rule.field())), MacKeys.single(key)))
                .as("the MAC of a message built here, not read").isEqualTo(MacCheck.VALID);
        assertThat(dialect.checkMac(read, MacKeys.single(macKey(rule, random)))).isEqualTo(MacCheck.INVALID);
        assertThat(dialect.checkMac(read, MacKeys.none())).isEqualTo(MacCheck.NO_KEY);
        assertThat(dialect.checkMac(read.copy().unset(rule.field()), MacKeys.single(key))).isEqualTo(MacCheck.MISSING);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("messages")
    void response_matchesItsRequest_andSwapsTheTpdu(Dialect dialect, long seed) {
        IsoMessage request = new RandomMessages(dialect, seed).next();
        if (Dialect.isResponse(request.mti())) {
            request.mti(Dialect.requestClass(request.mti()));
        }
        RandomMessages values = new RandomMessages(dialect, seed + 1);
        for (String path : dialect.matchFields()) {
            request.set(path, (String) values.value(dialect.fieldSpec(request.mti(), path), 99));
        }

        IsoMessage response = dialect.responseTo(request);

        assertThat(Dialect.isResponse(response.mti())).isTrue();
        assertThat(dialect.matchKey(response)).isEqualTo(dialect.matchKey(request));
        assertThat(response.tpdu()).isEqualTo(Framing.swapTpdu(request.tpdu()));
        assertThat(response.header()).isEqualTo(request.header());
    }

    private static IsoMessage firstRequiringMac(Dialect dialect, MacRule rule, long seed) {
        for (long attempt = 0; ; attempt++) {
            IsoMessage candidate = new RandomMessages(dialect, seed + attempt).next();
            if (rule.requiredFor(candidate.mti())) {
                return candidate;
            }
        }
    }

    private static SymmetricKey macKey(MacRule rule, SplittableRandom random) {
        KeyAlgorithm algorithm = rule.algorithm().keyAlgorithmFor(16);
        return SymmetricKey.of(algorithm, SeededCases.bytes(random, 16));
    }
}
