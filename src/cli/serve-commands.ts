/**
 * The commands that run objbatch itself rather than talk to it:
 *   objbatch serve              API server and engine on the embedded defaults (SQLite, local directory storage)
 *   objbatch serve --no-engine  the API server alone: its jobs are run by workers sharing its store
 *   objbatch worker             the engine alone on a store the API server shares, /healthz and /metrics only
 */
import type { Command } from "commander";
import type { Config } from "../config.js";
import { CliError, EXIT } from "./exit-codes.js";

/**
 * Runs a server command with the server's modules, loaded only then, so the client commands do not load them. A
 * configuration error becomes a CliError with exit code 2, one line per problem, each naming its setting.
 */
async function withServer(run: (server: typeof import("../app.js") & typeof import("../config.js")) => Promise<void>) {
  const [app, config] = await Promise.all([import("../app.js"), import("../config.js")]);
  try {
    await run({ ...app, ...config });
  } catch (e) {
    if (e instanceof config.ConfigError) throw new CliError(e.message.split("\n").join("\nobjbatch: "), EXIT.refused);
    throw e;
  }
}

export function addServeCommands(program: Command): void {
  program
    .command("serve")
    .description("start the API server and the engine")
    .option("-p, --port <port>", "port to listen on (env PORT, default 8080)")
    .option("--host <host>", "address to listen on (env HOST, default 0.0.0.0)")
    .option("-d, --data-dir <dir>", "data directory (env OBJBATCH_DATA_DIR, default ./data)")
    .option("-c, --config <file>", "JSON config file with accounts, buckets and roles (env OBJBATCH_CONFIG)")
    .option("--store <url>", "job store: sqlite:<file> or postgres://... (env OBJBATCH_STORE_URL)")
    .option("--no-engine", "serve the API only; run jobs in separate workers")
    .option("--log-level <level>", "trace, debug, info, warn, error (env LOG_LEVEL)")
    .addHelpText(
      "after",
      "\nExamples:\n  objbatch serve\n  objbatch serve --port 9000 --data-dir /var/lib/objbatch\n" +
        "  objbatch serve --store postgres://objbatch@db/objbatch --no-engine\n",
    )
    .action((opts) =>
      withServer(async ({ startApp, loadConfig }) => {
        const config = loadConfig({
          flags: {
            port: opts.port,
            host: opts.host,
            dataDir: opts.dataDir,
            config: opts.config,
            store: opts.store,
            logLevel: opts.logLevel,
          },
        });
        const app = await startApp(config, { engine: opts.engine });
        const root = config.rootAccount;
        const key = root.account.keys[0];
        const lines = [
          `objbatch listening on ${app.url} (data dir ${config.dataDir}, store ${storeLabel(config)})`,
          `root account ${root.account.id}, access key ${key.accessKeyId}` +
            (root.file
              ? `, secret key ${key.secretAccessKey} (${root.created ? "created and " : ""}kept in ${root.file})`
              : ""),
        ];
        process.stdout.write(`${lines.join("\n")}\n`);

        stopOnSignals(app);
      }),
    );

  program
    .command("worker")
    .description("run the engine alone on a store the API server shares (PostgreSQL, or a SQLite file on this machine)")
    .option("-p, --port <port>", "port of /healthz and /metrics (env PORT, default 8081)")
    .option("--host <host>", "address to listen on (env HOST, default 0.0.0.0)")
    .option("-d, --data-dir <dir>", "data directory (env OBJBATCH_DATA_DIR, default ./data)")
    .option("-c, --config <file>", "JSON config file with accounts, buckets and roles (env OBJBATCH_CONFIG)")
    .option("--store <url>", "the shared job store: postgres://... or sqlite:<file> (env OBJBATCH_STORE_URL)")
    .option("--log-level <level>", "trace, debug, info, warn, error (env LOG_LEVEL)")
    .addHelpText("after", "\nExamples:\n  objbatch worker --store postgres://objbatch@db/objbatch\n")
    .action((opts) =>
      withServer(async ({ startWorker, loadConfig }) => {
        const config = loadConfig({
          flags: {
            // Its own default port, so a worker beside `objbatch serve` on one machine does not collide with it.
            port: opts.port ?? (process.env.PORT === undefined ? "8081" : undefined),
            host: opts.host,
            dataDir: opts.dataDir,
            config: opts.config,
            store: opts.store,
            logLevel: opts.logLevel,
          },
        });
        const worker = await startWorker(config);
        process.stdout.write(
          `objbatch worker: health and metrics on ${worker.url} (no job API), store ${storeLabel(config)}\n`,
        );
        stopOnSignals(worker);
      }),
    );
}

/** The store URL without its credentials. */
function storeLabel(config: Config): string {
  return config.storeUrl.split("@").pop() ?? "";
}

/** Closes the process's parts on SIGTERM or SIGINT (once), then exits. */
function stopOnSignals(running: { readonly logger: { info(o: object, m: string): void }; close(): Promise<void> }) {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.logger.info({ signal }, "shutting down");
    await running.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}
