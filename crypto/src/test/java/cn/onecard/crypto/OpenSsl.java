package cn.onecard.crypto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the machine's {@code openssl}, an SM implementation independent of ours, for interoperability tests. */
final class OpenSsl {

    record Result(int exitCode, byte[] stdout, String stderr) {
        String text() {
            return new String(stdout);
        }
    }

    private static volatile Boolean supportsSm;

    private OpenSsl() {
    }

    /** True when openssl runs and offers SM2, SM3 and SM4. */
    static boolean supportsSm() {
        Boolean known = supportsSm;
        if (known == null) {
            known = detect();
            supportsSm = known;
        }
        return known;
    }

    private static boolean detect() {
        try {
            Result keys = run(null, "list", "-public-key-algorithms");
            Result ciphers = run(null, "list", "-cipher-algorithms");
            Result digests = run(null, "list", "-digest-algorithms");
            return keys.exitCode() == 0 && keys.text().contains("SM2")
                    && ciphers.text().contains("SM4-CBC") && digests.text().contains("SM3");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static Result run(Path directory, String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        Path stderr = Files.createTempFile("openssl", ".stderr");
        builder.redirectError(stderr.toFile());
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] stdout = process.getInputStream().readAllBytes();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("openssl did not finish: " + command);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        try {
            return new Result(process.exitValue(), stdout, Files.readString(stderr));
        } finally {
            Files.deleteIfExists(stderr);
        }
    }
}
