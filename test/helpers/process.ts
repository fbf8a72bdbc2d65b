/**
 * objbatch as a child process: `objbatch serve` started exactly as a user would, for crash and shutdown tests.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { ROOT } from "./app.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The root account of the test helpers, as the environment variables `objbatch` reads it from. */
export function rootAccountEnv(): Record<string, string> {
  return {
    OBJBATCH_ACCOUNT_ID: ROOT.accountId,
    OBJBATCH_ACCESS_KEY: ROOT.accessKeyId,
    OBJBATCH_SECRET_KEY: ROOT.secretAccessKey,
  };
}

/**
 * Resolves once `url`/healthz answers 200; throws (after killing the child) when the child exits first or the
 * deadline passes, with what it printed.
 */
export async function waitUntilHealthy(
  url: string,
  child: ChildProcess,
  options: { readonly timeoutMs?: number; readonly output?: () => string; readonly name?: string } = {},
): Promise<void> {
  const name = options.name ?? "objbatch";
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited early:\n${options.output?.() ?? ""}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false, // not listening yet
    );
    if (ok) return;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${name} did not become healthy:\n${options.output?.() ?? ""}`);
    }
    await sleep(100);
  }
}

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  /** Resolves with the exit code or signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `objbatch serve`: from the TypeScript sources through tsx, or with `dist: true` from the built
 * JavaScript (`npm run build`), as `npm start` runs it.
 */
export async function startServe(
  dataDir: string,
  port: number,
  env: Record<string, string> = {},
  options: { dist?: boolean } = {},
): Promise<ServeProcess> {
  const entry = options.dist ? ["dist/cli/main.js"] : ["--import", "tsx", "src/cli/main.ts"];
  const child = spawn(
    process.execPath,
    [
      // e.g. OBJBATCH_CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server in a benchmark
      ...(process.env.OBJBATCH_CHILD_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
      ...entry,
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--data-dir",
      dataDir,
    ],
    {
      cwd: REPO,
      env: {
        ...process.env,
        ...rootAccountEnv(),
        LOG_LEVEL: "warn",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntilHealthy(url, child, { output: () => out });
  return { child, url, output: () => out, exited };
}
