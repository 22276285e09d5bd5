import type { Command } from "commander";
import { startServer } from "../../server/index.ts";
import { parseInteger } from "../args.ts";
import { type CommonOptions, configFor, type Runtime } from "../runtime.ts";

interface ServeOptions extends CommonOptions {
  readonly port: string;
  readonly host: string;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

export function registerServe(program: Command, rt: Runtime): void {
  program
    .command("serve")
    .description(
      "serve the read-only operations dashboard: this week, games, model, monitoring, registry (JSON API under /api)",
    )
    .option("--port <n>", "port to listen on (0 picks a free one)", "8080")
    .option(
      "--host <address>",
      "address to bind (the dashboard has no login: keep it on loopback)",
      "127.0.0.1",
    )
    .option("--config <path>", "config file (default ./configs/default.yaml)")
    .action(async (opts: ServeOptions) => {
      const cfg = configFor(rt, opts);
      const port = parseInteger(opts.port, "--port", 0, 65_535);
      const server = await startServer({ config: cfg, host: opts.host, port, now: rt.now, log: rt.log });
      if (!LOOPBACK.has(opts.host)) {
        rt.log.warn(
          { host: opts.host },
          "the dashboard is reachable from the network and has no authentication",
        );
      }
      rt.out(`Dashboard: ${server.url}/ (read-only view of ${cfg.paths.duckdb_path})`);
      rt.out("Press Ctrl-C to stop.");
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await server.close();
    });
}
