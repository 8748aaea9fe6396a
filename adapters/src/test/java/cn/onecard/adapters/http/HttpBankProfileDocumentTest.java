package cn.onecard.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** docs/http-bank.md, which banks implement, names what the adapter speaks: codes, paths, headers. */
class HttpBankProfileDocumentTest {

    private static String page() throws IOException {
        Path here = Path.of("").toAbsolutePath();
        Path doc = Stream.of(here.resolve("docs/http-bank.md"), here.resolveSibling("docs").resolve("http-bank.md"))
                .filter(Files::exists).findFirst().orElseThrow(() -> new AssertionError("docs/http-bank.md not found from " + here));
        return Files.readString(doc, StandardCharsets.UTF_8);
    }

    @Test
    void everyResultCodeIsInTheProfile() throws IOException {
        String page = page();
        Arrays.stream(HttpResultCode.values()).filter(code -> code != HttpResultCode.UNLISTED)
                .forEach(code -> assertThat(page).as(code.name()).contains("`" + code.name() + "`"));
    }

    @Test
    void everyPathAndHeaderIsInTheProfile() throws IOException {
        String page = page();
        for (String path : new String[] {HttpBankAdapter.VERIFY, HttpBankAdapter.CREDIT, HttpBankAdapter.QUERY,
                HttpBankAdapter.REVERSE}) {
            assertThat(page).contains("`POST {base}" + path + "`");
        }
        for (String header : new String[] {ApiSignatures.APP_ID, ApiSignatures.TIMESTAMP, ApiSignatures.NONCE,
                ApiSignatures.SIGNATURE}) {
            assertThat(page).contains("`" + header + "`");
        }
    }
}
