package cn.onecard.gateway.cli;

import cn.onecard.iso8583.Dialects;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** --dialect-dir, shared by the iso8583 commands: a bank's dialects beside the built-in ones, without a new build. */
final class DialectOptions {

    @Option(names = "--dialect-dir", paramLabel = "DIR",
            description = "add the dialects in DIR: NAME.dialect.properties files, their specs beside them")
    String directory;

    /**
     * The built-in dialects, and those of --dialect-dir; a name defined in both is refused, and so
     * is a directory without dialects (a mistyped path should not pass for an empty list).
     */
    Dialects dialects(CliContext context) {
        Dialects builtIn = Dialects.builtIn();
        if (directory == null) {
            return builtIn;
        }
        Path path = context.resolve(directory);
        Dialects operators = Dialects.fromDirectory(path);
        if (operators.all().isEmpty()) {
            throw new CliInputException("dialect directory " + path + " holds no NAME.dialect.properties");
        }
        return builtIn.with(operators);
    }
}
