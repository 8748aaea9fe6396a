package cn.onecard.gateway.cli;

import cn.onecard.crypto.Sm2SignatureEncoding;
import cn.onecard.crypto.Sm2SignatureFormat;
import picocli.CommandLine.Option;

/** --id and --raw, shared by sign and verify. */
final class SignatureOptions {

    @Option(names = "--id", paramLabel = "ID", defaultValue = Sm2SignatureFormat.DEFAULT_ID,
            description = "SM2 distinguishing ID (default: ${DEFAULT-VALUE})")
    String id;

    @Option(names = "--raw", description = "64-byte r||s instead of DER")
    boolean raw;

    Sm2SignatureFormat format() {
        return Sm2SignatureFormat.of(id, raw ? Sm2SignatureEncoding.RAW : Sm2SignatureEncoding.DER);
    }
}
