package cn.onecard.adapters.file;

import cn.onecard.adapters.BankOutcome;
import cn.onecard.iso8583.CodeTable;
import java.nio.charset.Charset;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;

/**
 * Everything a layout descriptor says, checked by {@link LayoutLoader}. Held by {@link FileLayout}.
 *
 * @param paymentTrailer null when the payment file has no trailer record
 * @param resultTrailer  null when result files have no trailer record
 * @param fileReasonProcessed the file reason written when a file was processed; null when results
 *                       carry no file reason
 * @param codes          the bank's record codes; an unlisted one means {@code BANK_CODE_UNMAPPED}
 * @param fileReasons    the bank's reasons for refusing a whole file; an unlisted one means
 *                       {@code BANK_FILE_REASON_UNMAPPED}
 */
record LayoutSpec(
        String name,
        String description,
        Charset charset,
        LineEnding lineEnding,
        Format format,
        char separator,
        AmountUnit amountUnit,
        Protection protection,
        Padding numericPadding,
        Padding textPadding,
        NamePattern paymentFile,
        NamePattern resultFile,
        RecordLayout paymentHeader,
        RecordLayout paymentDetail,
        RecordLayout paymentTrailer,
        RecordLayout resultHeader,
        RecordLayout resultDetail,
        RecordLayout resultTrailer,
        String fileStatusProcessed,
        String fileStatusRefused,
        String recordStatusPaid,
        String recordStatusFailed,
        String fileReasonProcessed,
        CodeTable<BankOutcome> codes,
        CodeTable<BankOutcome> fileReasons) {

    /** Dates in every layout: {@code yyyyMMdd}, strictly (no 20261131). */
    static final DateTimeFormatter DATE_FORMAT = DateTimeFormatter.ofPattern("uuuuMMdd").withResolverStyle(ResolverStyle.STRICT);
    static final int DATE_CHARS = 8;

    enum Format {
        /** Fields separated by one character, no quoting. */
        DELIMITED,
        /** Fields of fixed widths in bytes of the encoding. */
        FIXED
    }

    enum AmountUnit {
        FEN,
        /** Yuan with exactly two decimals, no separators. */
        YUAN
    }

    enum LineEnding {
        CRLF(new byte[]{'\r', '\n'}),
        LF(new byte[]{'\n'});

        private final byte[] bytes;

        LineEnding(byte[] bytes) {
            this.bytes = bytes;
        }

        byte[] bytes() {
            return bytes.clone();
        }
    }

    /** How a file is protected on the bank's side, and the transport names of its parts. */
    enum Protection {
        /** The OneCard envelope: {@code NAME.ocev}. */
        ENVELOPE("envelope"),
        /** {@code NAME.enc} (IV || SM4-CBC) and {@code NAME.sig} (base64 DER SM2 over the .enc). */
        SM4CBC_SM2SIG("sm4cbc-sm2sig");

        private final String key;

        Protection(String key) {
            this.key = key;
        }

        String key() {
            return key;
        }
    }

    /** Fixed-width padding of one field type. */
    record Padding(boolean rightAligned, byte pad) {
    }

    boolean isFixed() {
        return format == Format.FIXED;
    }
}
