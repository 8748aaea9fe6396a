package cn.onecard.gateway;

import cn.onecard.gateway.cli.Cli;
import cn.onecard.gateway.cli.CliContext;

/** The one executable of the gateway: server, demo and operator commands. */
public final class OneCardMain {

    private OneCardMain() {
    }

    public static void main(String[] args) {
        System.exit(Cli.run(CliContext.system(), args));
    }
}
