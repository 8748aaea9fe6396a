package cn.onecard.simulators.treasury;

import cn.onecard.crypto.EnvelopeSealer;
import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.crypto.Sm2PublicKey;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * A generated batch: its header, what went into it, its manifest, and its items spooled as JSON
 * Lines, ready to be written as an API body or a sealed batch file. Close it to delete the spool.
 *
 * @param plannedKinds the counts the spec asked for (over the kinds that apply)
 * @param kinds        the counts made; differ from the plan when the population ran out of a kind
 */
public record GeneratedBatch(BatchHeader header, Map<ItemKind, Long> plannedKinds, Map<ItemKind, Long> kinds,
                             Path itemsSpool, Path manifest, long generationNanos) implements AutoCloseable {

    public double itemsPerSecond() {
        return header.itemCount() * 1e9 / Math.max(1, generationNanos);
    }

    /** The {@code POST /api/v1/batches} body: the header's fields, then {@code "items": [...]}. */
    public void writeApiBody(OutputStream out) throws IOException {
        String head = Json.MAPPER.writeValueAsString(header.toJson());
        out.write(head.substring(0, head.length() - 1).getBytes(StandardCharsets.UTF_8));
        out.write(",\"items\":[".getBytes(StandardCharsets.US_ASCII));
        // the spool's line ends become the array's commas; the last one is dropped
        try (InputStream in = Files.newInputStream(itemsSpool)) {
            byte[] buffer = new byte[1 << 16];
            boolean pendingSeparator = false;
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                int from = 0;
                for (int i = 0; i < read; i++) {
                    if (buffer[i] == '\n') {
                        out.write(buffer, from, i - from);
                        from = i + 1;
                        pendingSeparator = true;
                    } else if (pendingSeparator) {
                        out.write(',');
                        pendingSeparator = false;
                    }
                }
                out.write(buffer, from, read - from);
            }
        }
        out.write("]}".getBytes(StandardCharsets.US_ASCII));
    }

    public Path writeApiBody(Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            writeApiBody(out);
        }
        return file;
    }

    /** The batch file's content (docs/api.md): the header as line 1, then one item per line. */
    public InputStream batchFileContent() throws IOException {
        byte[] head = (Json.MAPPER.writeValueAsString(header.toJson()) + "\n").getBytes(StandardCharsets.UTF_8);
        return new SequenceInputStream(new ByteArrayInputStream(head), new BufferedInputStream(Files.newInputStream(itemsSpool), 1 << 16));
    }

    /**
     * Seals the batch file to the gateway and signs it with the treasury's key, writes it into the
     * inbox as {@code .NAME.part}, forces it to disk and renames it to {@code {batchId}.jsonl.ocev}.
     */
    public Path writeBatchFile(Path inboxDir, Sm2PublicKey gateway, Sm2PrivateKey treasury) throws IOException {
        String name = header.batchId() + ".jsonl.ocev";
        Path target = inboxDir.resolve(name);
        Path part = inboxDir.resolve("." + name + ".part");
        try (InputStream content = batchFileContent();
             FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
             OutputStream out = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 20)) {
            new EnvelopeSealer().seal(content, out, gateway, treasury, header.batchId() + ".jsonl");
            out.flush();
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(itemsSpool);
    }
}
