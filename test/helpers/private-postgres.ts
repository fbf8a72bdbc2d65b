/**
 * A PostgreSQL server of the test's own, to stop and restart while objbatch runs on it: the machine's shared
 * server (stores.ts) serves every other test and must never be restarted. initdb into a temporary directory as
 * the `postgres` OS user (the tests run as root), a free port on 127.0.0.1, its socket in its own directory,
 * trust authentication, fsync off. Needs the Debian postgresql package's binaries (/usr/lib/postgresql/N/bin).
 */
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./process.js";

const run = promisify(execFile);

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** The server's log, for failure messages. */
  log(): Promise<string>;
  dispose(): Promise<void>;
}

/** The newest installed server's bin directory. */
function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`no PostgreSQL server under ${root}`);
  return join(root, versions[0], "bin");
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin();
  const dir = await mkdtemp(join(tmpdir(), "objbatch-private-pg-"));
  await chmod(dir, 0o777);
  const data = join(dir, "data");
  const logFile = join(dir, "server.log");
  const port = await freePort();
  const asPostgres = (tool: string, args: string[]) =>
    run("runuser", ["-u", "postgres", "--", join(bin, tool), ...args], { cwd: dir });
  await asPostgres("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const pgctl = (...args: string[]) => asPostgres("pg_ctl", ["-D", data, "-l", logFile, "-w", "-t", "60", ...args]);
  const start = async () => {
    await pgctl("-o", options, "start");
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    async stop() {
      await pgctl("-m", "fast", "stop");
    },
    log: () => readFile(logFile, "utf8").catch(() => ""),
    async dispose() {
      await pgctl("-m", "immediate", "stop").catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
