package cn.onecard.adapters.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A set of file layouts by name: those shipped with the adapters ({@link #builtIn()}: {@code lyb},
 * {@code abc}) and those an operator keeps in a directory ({@link #fromDirectory}), each a
 * {@code NAME.layout.properties} descriptor (docs/files/layouts.md).
 */
public final class FileLayouts {

    static final String DESCRIPTOR_SUFFIX = ".layout.properties";
    private static final String BUILT_IN_DIRECTORY = "/cn/onecard/adapters/file/layouts/";
    private static volatile FileLayouts builtIn;

    private final Map<String, FileLayout> byName;

    private FileLayouts(Map<String, FileLayout> byName) {
        this.byName = Collections.unmodifiableMap(new TreeMap<>(byName));
    }

    /** The layouts shipped in this module, listed in {@code layouts.list} beside them. */
    public static FileLayouts builtIn() {
        FileLayouts loaded = builtIn;
        if (loaded == null) {
            synchronized (FileLayouts.class) {
                loaded = builtIn;
                if (loaded == null) {
                    loaded = loadBuiltIn();
                    builtIn = loaded;
                }
            }
        }
        return loaded;
    }

    private static FileLayouts loadBuiltIn() {
        List<String> names;
        try (InputStream index = FileLayouts.class.getResourceAsStream(BUILT_IN_DIRECTORY + "layouts.list")) {
            if (index == null) {
                throw new FileLayoutException("the built-in layout list is missing from the class path");
            }
            names = new String(index.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, FileLayout> layouts = new LinkedHashMap<>();
        for (String name : names) {
            String source = name + DESCRIPTOR_SUFFIX;
            layouts.put(name, LayoutLoader.load(name, source,
                    properties(FileLayouts.class.getResourceAsStream(BUILT_IN_DIRECTORY + source), source)));
        }
        return new FileLayouts(layouts);
    }

    /** Every {@code NAME.layout.properties} directly in {@code directory}. */
    public static FileLayouts fromDirectory(Path directory) {
        Map<String, FileLayout> layouts = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(DESCRIPTOR_SUFFIX)).sorted().toList()) {
                String fileName = file.getFileName().toString();
                String name = fileName.substring(0, fileName.length() - DESCRIPTOR_SUFFIX.length());
                layouts.put(name, LayoutLoader.load(name, fileName, properties(Files.newInputStream(file), fileName)));
            }
        } catch (NoSuchFileException e) {
            throw new FileLayoutException("layout directory " + directory + " does not exist");
        } catch (IOException e) {
            throw new FileLayoutException("layout directory " + directory + " cannot be read: " + e.getMessage(), e);
        }
        if (layouts.isEmpty()) {
            throw new FileLayoutException("layout directory " + directory + " holds no *" + DESCRIPTOR_SUFFIX);
        }
        return new FileLayouts(layouts);
    }

    /** Reads a descriptor as UTF-8 properties; a key given twice is refused (the second would win silently). */
    static Properties properties(InputStream in, String source) {
        if (in == null) {
            throw new FileLayoutException("descriptor " + source + " not found");
        }
        Properties properties = new Properties() {
            @Override
            public synchronized Object put(Object key, Object value) {
                if (containsKey(key)) {
                    throw new FileLayoutException(source + ": " + key + ": given twice");
                }
                return super.put(key, value);
            }
        };
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder())) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new FileLayoutException("descriptor " + source + " cannot be read: " + e.getMessage(), e);
        }
        return properties;
    }

    /** These layouts and {@code others}; a name in both is refused, so a built-in cannot be shadowed by accident. */
    public FileLayouts with(FileLayouts others) {
        Map<String, FileLayout> union = new LinkedHashMap<>(byName);
        for (Map.Entry<String, FileLayout> entry : others.byName.entrySet()) {
            if (union.putIfAbsent(entry.getKey(), entry.getValue()) != null) {
                throw new FileLayoutException("layout " + entry.getKey() + " is defined twice");
            }
        }
        return new FileLayouts(union);
    }

    /** The layout called {@code name}; refused, listing the known names, when there is none. */
    public FileLayout get(String name) {
        FileLayout layout = byName.get(name);
        if (layout == null) {
            throw new FileLayoutException("no layout named '" + name + "'; known: " + String.join(", ", byName.keySet()));
        }
        return layout;
    }

    /** The names, sorted. */
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }
}
