package cn.onecard.adapters.file;

import java.io.IOException;
import java.util.List;

/** A transport that fails one chosen call (by operation and count), to drive the adapter's failure paths. */
final class FailingTransport implements BankFileTransport {

    enum Op { LIST, EXISTS, READ, WRITE, RENAME, REMOVE, CREATE_FOLDER }

    private final BankFileTransport delegate;
    private final Op failing;
    private int callsBeforeFailure;

    /** Fails the {@code nth} (1-based) call of {@code failing}; every other call goes through. */
    FailingTransport(BankFileTransport delegate, Op failing, int nth) {
        this.delegate = delegate;
        this.failing = failing;
        this.callsBeforeFailure = nth - 1;
    }

    private void maybeFail(Op op) throws IOException {
        if (op == failing && callsBeforeFailure-- == 0) {
            throw new IOException("connection reset (test)");
        }
    }

    @Override
    public List<String> list(String folder) throws IOException {
        maybeFail(Op.LIST);
        return delegate.list(folder);
    }

    @Override
    public boolean exists(String path) throws IOException {
        maybeFail(Op.EXISTS);
        return delegate.exists(path);
    }

    @Override
    public byte[] read(String path, long bytesMax) throws IOException {
        maybeFail(Op.READ);
        return delegate.read(path, bytesMax);
    }

    @Override
    public long download(String path, java.io.OutputStream sink, long bytesMax) throws IOException {
        maybeFail(Op.READ);
        return delegate.download(path, sink, bytesMax);
    }

    @Override
    public void write(String path, byte[] content) throws IOException {
        maybeFail(Op.WRITE);
        delegate.write(path, content);
    }

    @Override
    public void rename(String from, String to, boolean replace) throws IOException {
        maybeFail(Op.RENAME);
        delegate.rename(from, to, replace);
    }

    @Override
    public void remove(String path) throws IOException {
        maybeFail(Op.REMOVE);
        delegate.remove(path);
    }

    @Override
    public void createFolder(String folder) throws IOException {
        maybeFail(Op.CREATE_FOLDER);
        delegate.createFolder(folder);
    }

    @Override
    public String describe() {
        return "failing " + delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
