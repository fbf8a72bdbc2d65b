/**
 * The built objbatch command line as a child process, as a user runs it, piped: its output and exit code, a
 * wait for a line it prints, the environment that points it at a test server, and the checks every piped run
 * passes (no escape code, no stack trace). The CLI tests (test/cli/*-cli.test.ts) share these.
 */
import assert from "node:assert/strict";
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { ROOT } from "./app.js";

export const BIN = fileURLToPath(new URL("../../bin/objbatch.js", import.meta.url));
const ESCAPE = "\u001b";

export interface CliRun {
  /** null when a signal ended it. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Over this process's environment without its OBJBATCH_* variables and NO_COLOR. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

export interface RunningCli {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** What it printed and its exit code, once it has ended. */
  readonly output: Promise<CliRun>;
  /** Resolves once its stdout matches (it ending first fails the test). */
  printed(pattern: RegExp): Promise<void>;
}

/** This process's environment without what would point the CLI elsewhere or change its output. */
export function cleanEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && !entry[0].startsWith("OBJBATCH_") && entry[0] !== "NO_COLOR",
    ),
  );
}

/** The environment of a CLI that talks to `url` with the root account's key, its profiles under `work`. */
export function serverEnv(url: string, work: string): Record<string, string> {
  return {
    OBJBATCH_ENDPOINT: url,
    OBJBATCH_ACCESS_KEY: ROOT.accessKeyId,
    OBJBATCH_SECRET_KEY: ROOT.secretAccessKey,
    XDG_CONFIG_HOME: join(work, "config"),
  };
}

export function startCli(args: readonly string[], options: CliOptions = {}): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...cleanEnv(), ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const seen: (() => void)[] = [];
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString("utf8");
    for (const f of seen.splice(0)) f();
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString("utf8");
  });
  const output = new Promise<CliRun>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return {
    child,
    output,
    async printed(pattern) {
      while (!pattern.test(stdout)) {
        if (child.exitCode !== null) assert.fail(`exited before printing ${pattern}: ${stdout} ${stderr}`);
        await new Promise<void>((resolve) => {
          seen.push(resolve);
          child.once("close", resolve);
        });
      }
    },
  };
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  return startCli(args, options).output;
}

/** Piped output has no escape code, and no error is a stack trace. */
export function assertPlain(run: CliRun, what: string): void {
  assert.ok(!run.stdout.includes(ESCAPE), `escape codes in piped stdout of ${what}: ${JSON.stringify(run.stdout)}`);
  assert.ok(!run.stderr.includes(ESCAPE), `escape codes in piped stderr of ${what}`);
  assert.doesNotMatch(run.stderr, /\n\s+at /, `a stack trace from ${what}`);
}
