package cn.onecard.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CryptoTourCommandTest {

    @TempDir
    Path directory;

    @Test
    void tour_runsTheRoundTripThroughTheCli_andSaysSo() {
        CliRunner.Result result = new CliRunner(directory).run("crypto", "tour", "--items", "2000", "--dir", "demo");

        assertThat(result.exitCode()).as(result.out() + result.stderr()).isZero();
        assertThat(result.out())
                .contains("$ onecard crypto keygen", "$ onecard crypto sign", "Verified OK", "$ onecard crypto seal",
                        "$ onecard crypto open", "envelope is addressed to another recipient key", "truncated")
                .contains("(exit 1, as expected)", "(exit 3, as expected)")
                .doesNotContain("expected 0")
                .endsWith("Demo finished: every step behaved as expected.\n");
        assertThat(directory.resolve("demo/batch-opened.csv")).exists();
        assertThat(directory.resolve("demo/stolen.csv")).doesNotExist();
    }
}
