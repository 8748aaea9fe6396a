package cn.onecard.simulators;

import cn.onecard.simulators.population.Population;
import cn.onecard.simulators.population.PopulationExporter;
import cn.onecard.simulators.population.PopulationOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Writes a population's feeds and the banks' accounts files. */
@Command(name = "population", mixinStandardHelpOptions = true,
        description = "Write card-registry.csv, blocked-persons.csv and accounts-{BANK}.csv for a seeded population.")
final class PopulationCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    PopulationMixin population;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "directory for the files")
    Path out;

    @Override
    public Integer call() throws Exception {
        PopulationOptions options = population.options();
        spec.commandLine().getOut().println(options);
        long started = System.nanoTime();
        Files.createDirectories(out);
        PopulationExporter.Exported exported = PopulationExporter.export(new Population(options), out);
        long millis = (System.nanoTime() - started) / 1_000_000;
        spec.commandLine().getOut().printf("wrote %,d cards to %s, %,d blocked persons to %s, accounts %s in %,d ms%n",
                exported.cards(), exported.cardRegistry(), exported.blocked(), exported.blockedPersons(),
                exported.accountsPerBank(), millis);
        return SimulatorsMain.OK;
    }
}
