package cn.onecard.adapters.file;

import java.util.Objects;

/**
 * One bank's file layout, loaded from a descriptor ({@code NAME.layout.properties}, see
 * {@code docs/files/layouts.md}): encodings, records, file names, status values and code table.
 * Immutable and thread-safe.
 */
public final class FileLayout {

    private final LayoutSpec spec;

    FileLayout(LayoutSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
    }

    /** The descriptor's name, e.g. {@code lyb}. */
    public String name() {
        return spec.name();
    }

    /** One line for listings. */
    public String description() {
        return spec.description();
    }

    LayoutSpec spec() {
        return spec;
    }

    @Override
    public String toString() {
        return "FileLayout[" + spec.name() + ", " + spec.format() + ", " + spec.charset() + ", "
                + spec.protection().key() + "]";
    }
}
