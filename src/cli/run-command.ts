/**
 * `objbatch run <shortcut>`: the shortcut's job with no server to start first (D39). objbatch itself is started
 * in this process, on the embedded defaults or the storage routes of --config, listening on a loopback port of
 * its own, and the job is created and watched through its JSON API exactly as against a server: the same
 * preview, progress bar, report and exit codes. The job store is a temporary SQLite file, removed at the end,
 * unless --store keeps it; then the job's clientRequestToken is derived from the job itself, so running the same
 * command again after a stop answers the same job and goes on with it rather than starting another. Ctrl-C
 * stops objbatch cleanly (exit 130) and says what was kept.
 */
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { ApiClient } from "./connection.js";
import type { Context } from "./create-flow.js";
import { CliError, EXIT } from "./exit-codes.js";
import type { WatchHints } from "./job-watch.js";
import { Output } from "./output.js";
import { addShortcutCommands, type ShortcutHost } from "./shortcut-commands.js";

interface RunOptions {
  readonly dataDir?: string;
  readonly config?: string;
  readonly store?: string;
  readonly logLevel?: string;
}

export function addRunCommand(program: Command): Command {
  const run = program
    .command("run")
    .description("run a shortcut's job in this process, without a server (copy, delete, tag, ...)")
    .usage("<shortcut> [options]");
  const shortcuts = addShortcutCommands(run, runHost);
  run.addHelpText(
    "after",
    `\nShortcuts (objbatch run <shortcut> --help for each):\n` +
      shortcuts.map((c) => `  ${c.name().padEnd(9)} ${c.description()}`).join("\n") +
      "\n\nExamples:\n" +
      "  objbatch run copy --data-dir ./data --manifest s3://photos/manifest.csv --to s3://backup/copies/ --yes\n" +
      "  objbatch run delete --source s3://logs/2023/ --report s3://logs/reports --store sqlite:./delete-logs.db\n" +
      "\nobjbatch starts in this process on --data-dir (buckets are its directories) or the storage of --config,\n" +
      "runs the job, and stops. Its exit code is the job's, as for objbatch jobs watch. The job store is temporary\n" +
      "unless --store keeps it: then Ctrl-C leaves the job there, and the same command again goes on with it.\n",
  );
  return run;
}

const runHost: ShortcutHost = {
  prefix: "objbatch run",
  detachable: false,
  addOptions(command) {
    command
      .option(
        "-d, --data-dir <dir>",
        "data directory: buckets and the root key (env OBJBATCH_DATA_DIR, default ./data)",
      )
      .option("-c, --config <file>", "JSON config file: storage routes, accounts (env OBJBATCH_CONFIG)")
      .option("--store <url>", "keep the job store: sqlite:<file> or postgres://... (default: temporary)")
      .option("--log-level <level>", "objbatch's log on stderr: error, warn, info, ... (default silent)");
  },
  tokenFor(options, job) {
    if ((options as RunOptions).store === undefined) return undefined;
    return `run-${createHash("sha256").update(JSON.stringify(job)).digest("hex").slice(0, 40)}`;
  },
  session: (options, body) => runInProcess(options as RunOptions, body),
};

async function runInProcess<T>(o: RunOptions, body: (ctx: Context) => Promise<T>): Promise<T> {
  const [{ startApp }, { loadConfig, ConfigError }, { pino }] = await Promise.all([
    import("../app.js"),
    import("../config.js"),
    import("pino"),
  ]);
  const out = new Output(process.stdout);
  const note = (text: string) => process.stderr.write(`${text}\n`);
  let temporary: string | undefined;
  if (o.store === undefined) {
    temporary = await mkdtemp(join(tmpdir(), "objbatch-run-"));
    const dir = temporary;
    // Removed however the process ends, Ctrl-C at a prompt included.
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({
      flags: {
        host: "127.0.0.1",
        port: 0,
        dataDir: o.dataDir,
        config: o.config,
        store: o.store ?? `sqlite:${join(temporary!, "jobs.db")}`,
        logLevel: o.logLevel ?? "silent",
      },
    });
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message.split("\n").join("\nobjbatch: "), EXIT.refused);
    throw e;
  }
  // Ctrl-C should stop promptly: running chunks get a second to finish, then are cut short (their tasks run again
  // when a kept job goes on, and a chunk is recorded once, under its lease, so each task is counted once).
  // A run is one job: it runs no schedules of a store it shares (D43).
  config = {
    ...config,
    engine: { ...config.engine, shutdownGraceMs: Math.min(config.engine.shutdownGraceMs, 1000) },
    schedules: { ...config.schedules, enabled: false },
  };
  const logger = pino({ level: config.logLevel }, pino.destination(2));
  const app = await startApp(config, { logger });
  const key = config.rootAccount.account.keys[0]!;
  const api = new ApiClient({
    endpoint: app.url,
    accessKey: key.accessKeyId,
    secretKey: key.secretAccessKey,
    from: { endpoint: "objbatch run", accessKey: "the root account", secretKey: "the root account" },
  });
  const kept = o.store === undefined ? undefined : o.store.replace(/\/\/[^@/]*@/, "//");

  let stopping = false;
  /** Closes objbatch and exits 130, saying what was kept; once, whoever asks first. */
  const stop = (jobId?: string) => {
    if (stopping) return;
    stopping = true;
    note("Stopping objbatch (Ctrl-C again to quit at once)...");
    void app.close().finally(() => {
      if (jobId === undefined) note("Stopped.");
      else if (kept === undefined) {
        note(
          `Stopped; job ${jobId} did not finish and nothing was kept (--store sqlite:FILE keeps a job to go on with).`,
        );
      } else {
        note(`Stopped; job ${jobId} is kept in ${kept}: run the same command again to go on with it.`);
      }
      process.exit(EXIT.detached);
    });
  };
  // Registered before the watch's: each Ctrl-C reaches this first. The first stops objbatch, after the watch (when
  // one runs) has ended its bar and named its job; a second quits at once.
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) process.exit(EXIT.detached);
    setImmediate(() => stop());
  };
  process.on("SIGINT", onSigint);
  const dataDir = config.dataDir;
  const hints: WatchHints = {
    report: (_jobId, location) =>
      o.config === undefined
        ? `Report: ${location} (${join(dataDir, "buckets", location.replace(/^s3:\/\//, ""))})`
        : `Report: ${location}`,
    rerun: (jobId, scope) =>
      kept === undefined
        ? undefined
        : `Rerun the tasks that did not succeed: objbatch serve --store ${kept} --data-dir ${dataDir}, then ` +
          `objbatch jobs rerun ${jobId}${scope}`,
  };
  try {
    return await body({ api, out, note, mustWatch: true, watch: { onInterrupt: (jobId) => stop(jobId), hints } });
  } finally {
    process.off("SIGINT", onSigint);
    // Once stopping, whatever the interrupted watch did next waits for stop() to close objbatch and exit.
    if (stopping) await new Promise<never>(() => {});
    await app.close();
  }
}
