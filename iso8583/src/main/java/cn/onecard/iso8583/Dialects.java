package cn.onecard.iso8583;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A set of dialects by name: the ones shipped with the toolkit ({@link #builtIn()}) and those an
 * operator keeps in a directory ({@link #fromDirectory}), each a {@code NAME.dialect.properties}
 * descriptor beside the spec files it names.
 */
public final class Dialects {

    private static final String BUILT_IN_DIRECTORY = "/cn/onecard/iso8583/dialects/";
    private static final String DESCRIPTOR_SUFFIX = ".dialect.properties";
    private static volatile Dialects builtIn;

    private final Map<String, Dialect> byName;

    private Dialects(Map<String, Dialect> byName) {
        this.byName = Collections.unmodifiableMap(new TreeMap<>(byName));
    }

    /** The dialects shipped in this module: cup-pos, cup-pos-sm4, agent-ascii87, agent-bcd. */
    public static Dialects builtIn() {
        Dialects loaded = builtIn;
        if (loaded == null) {
            synchronized (Dialects.class) {
                loaded = builtIn;
                if (loaded == null) {
                    loaded = loadBuiltIn();
                    builtIn = loaded;
                }
            }
        }
        return loaded;
    }

    private static Dialects loadBuiltIn() {
        List<String> names;
        try (InputStream index = Dialects.class.getResourceAsStream(BUILT_IN_DIRECTORY + "dialects.list")) {
            if (index == null) {
                throw new DialectException("the built-in dialect list is missing from the class path");
            }
            names = new String(index.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Dialect> dialects = new LinkedHashMap<>();
        for (String name : names) {
            Properties descriptor = properties(Dialects.class.getResourceAsStream(BUILT_IN_DIRECTORY + name + DESCRIPTOR_SUFFIX),
                    name + DESCRIPTOR_SUFFIX);
            dialects.put(name, DialectLoader.load(name, descriptor,
                    file -> Dialects.class.getResourceAsStream(BUILT_IN_DIRECTORY + file)));
        }
        return new Dialects(dialects);
    }

    /** Every {@code NAME.dialect.properties} in {@code directory}, with spec files beside it. */
    public static Dialects fromDirectory(Path directory) {
        Map<String, Dialect> dialects = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(DESCRIPTOR_SUFFIX)).sorted().toList()) {
                String fileName = file.getFileName().toString();
                String name = fileName.substring(0, fileName.length() - DESCRIPTOR_SUFFIX.length());
                Properties descriptor = properties(Files.newInputStream(file), fileName);
                dialects.put(name, DialectLoader.load(name, descriptor, specFile -> openBeside(directory, specFile)));
            }
        } catch (NoSuchFileException e) {
            throw new DialectException("dialect directory " + directory + " does not exist");
        } catch (IOException e) {
            throw new DialectException("dialect directory " + directory + " cannot be read: " + e.getMessage(), e);
        }
        return new Dialects(dialects);
    }

    private static InputStream openBeside(Path directory, String specFile) {
        Path home = directory.toAbsolutePath().normalize();
        Path spec = home.resolve(specFile).normalize();
        if (!spec.startsWith(home)) {
            throw new DialectException("spec file " + specFile + " is outside the dialect directory");
        }
        try {
            return Files.newInputStream(spec);
        } catch (IOException e) {
            return null; // reported by the loader as 'spec not found'
        }
    }

    private static Properties properties(InputStream in, String source) {
        if (in == null) {
            throw new DialectException("descriptor " + source + " not found");
        }
        Properties properties = new Properties();
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new DialectException("descriptor " + source + " cannot be read: " + e.getMessage(), e);
        }
        return properties;
    }

    /** These dialects and {@code others}; a name in both is refused, so a built-in cannot be shadowed by accident. */
    public Dialects with(Dialects others) {
        Map<String, Dialect> merged = new LinkedHashMap<>(byName);
        for (Dialect dialect : others.all()) {
            if (merged.putIfAbsent(dialect.name(), dialect) != null) {
                throw new DialectException("dialect " + dialect.name() + " is defined twice");
            }
        }
        return new Dialects(merged);
    }

    /** The dialect of this name; refused with the list of known names when there is none. */
    public Dialect get(String name) {
        Dialect dialect = byName.get(name);
        if (dialect == null) {
            throw new DialectException("unknown dialect '" + name + "'; known: " + String.join(", ", byName.keySet()));
        }
        return dialect;
    }

    public Optional<Dialect> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<Dialect> all() {
        return byName.values();
    }
}
