/**
 * The objbatch command.
 *   objbatch serve   API server and engine on the embedded defaults (SQLite, local directory storage)
 */
import { Command } from "commander";
import { startApp } from "../app.js";
import { ConfigError, loadConfig } from "../config.js";

const program = new Command();
program
  .name("objbatch")
  .description("Batch operations for object storage, speaking the COS, OSS and S3 Control job APIs");

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
  .action(async (opts) => {
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
      `objbatch listening on ${app.url} (data dir ${config.dataDir}, store ${config.storeUrl.split("@").pop()})`,
      `root account ${root.account.id}, access key ${key.accessKeyId}` +
        (root.file
          ? `, secret key ${key.secretAccessKey} (${root.created ? "created and " : ""}kept in ${root.file})`
          : ""),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);

    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      app.logger.info({ signal }, "shutting down");
      await app.close();
      process.exit(0);
    };
    process.on("SIGTERM", () => void stop("SIGTERM"));
    process.on("SIGINT", () => void stop("SIGINT"));
  });

program.parseAsync(process.argv).catch((e) => {
  if (e instanceof ConfigError) {
    // One line per problem, each naming its setting; no stack trace: the fix is in the configuration.
    for (const line of e.message.split("\n")) process.stderr.write(`objbatch: ${line}\n`);
    process.exit(2);
  }
  process.stderr.write(`objbatch: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
