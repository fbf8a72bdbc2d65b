/**
 * Starts a real objbatch (HTTP server, engine, SQLite or PostgreSQL store, local-directory storage) on a
 * loopback port with a temporary data dir, for end-to-end tests.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { type RunningApp, startApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import type { EngineOptions } from "../../src/engine/options.js";

export const ROOT = {
  accountId: "1250000000",
  accessKeyId: "AKIDROOTEXAMPLE000001",
  secretAccessKey: "root-secret-key-for-tests-only-0001",
} as const;

export interface TestApp extends RunningApp {
  readonly dataDir: string;
  dispose(): Promise<void>;
}

export interface TestAppOptions {
  readonly engine?: Partial<EngineOptions>;
  /** Extra config-file content (accounts, ...), written to a temporary file. */
  readonly configFile?: Record<string, unknown>;
  readonly storeUrl?: string;
  readonly runEngine?: boolean;
  readonly dataDir?: string;
  /** The clock of the service, the engine and the storage (tests of timeouts and retention move it). */
  readonly now?: () => number;
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "objbatch-app-")));
  let configPath: string | undefined;
  if (options.configFile) {
    configPath = join(dataDir, "test-config.json");
    const { writeFile } = await import("node:fs/promises");
    await writeFile(configPath, JSON.stringify(options.configFile));
  }
  const base = loadConfig({
    env: {
      OBJBATCH_ACCOUNT_ID: ROOT.accountId,
      OBJBATCH_ACCESS_KEY: ROOT.accessKeyId,
      OBJBATCH_SECRET_KEY: ROOT.secretAccessKey,
    },
    flags: { port: 0, host: "127.0.0.1", dataDir, config: configPath, store: options.storeUrl },
  });
  const config = { ...base, engine: { ...base.engine, pollMs: 50, ...options.engine } };
  const app = await startApp(config, {
    engine: options.runEngine,
    now: options.now,
    logger: pino({ level: process.env.OBJBATCH_TEST_LOG ?? "silent" }),
  });
  return {
    ...app,
    close: () => app.close(),
    dataDir,
    async dispose() {
      await app.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
