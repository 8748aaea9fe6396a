package cn.onecard.simulators.isobank;

import cn.onecard.crypto.KeyAlgorithm;
import cn.onecard.iso8583.Dialect;
import cn.onecard.iso8583.Dialects;
import java.util.Arrays;
import java.util.Locale;

/** The dialects a simulated ISO 8583 bank speaks, each with the kind of key its MAC is computed under. */
public enum IsoBankDialect {

    /** SM4-CMAC over the whole message. */
    AGENT_BCD("agent-bcd", KeyAlgorithm.SM4),
    /** ANSI X9.19 (retail MAC) over selected fields: a double-length TDES key. */
    AGENT_ASCII87("agent-ascii87", KeyAlgorithm.TDES);

    private final String dialectName;
    private final KeyAlgorithm macKeyAlgorithm;

    IsoBankDialect(String dialectName, KeyAlgorithm macKeyAlgorithm) {
        this.dialectName = dialectName;
        this.macKeyAlgorithm = macKeyAlgorithm;
    }

    /** The iso8583 module's name of the dialect, as in the gateway's {@code onecard.banks.CODE.iso8583.dialect}. */
    public String dialectName() {
        return dialectName;
    }

    public KeyAlgorithm macKeyAlgorithm() {
        return macKeyAlgorithm;
    }

    public Dialect dialect() {
        return Dialects.builtIn().get(dialectName);
    }

    /** By its dialect name ({@code agent-bcd}), case aside. */
    public static IsoBankDialect named(String name) {
        String wanted = name.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(dialect -> dialect.dialectName.equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no ISO 8583 bank dialect '" + name + "'; known: "
                        + Arrays.stream(values()).map(IsoBankDialect::dialectName).toList()));
    }

    @Override
    public String toString() {
        return dialectName;
    }
}
