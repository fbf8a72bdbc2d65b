/**
 * The real gcloud CLI (Google Cloud SDK 528 at /usr/bin/gcloud) pointed at a running objbatch: a throw-away
 * configuration directory (CLOUDSDK_CONFIG) whose `storagebatchoperations` endpoint is objbatch, with prompts,
 * usage reporting and update checks off, and one call at a time run in a child process, asynchronously, so the
 * objbatch under test keeps serving in this process while gcloud waits for it. The properties are written as
 * gcloud writes them (`configurations/config_default`), which saves a `gcloud config set` start-up each.
 * OBJBATCH_GCLOUD_LOG=1 prints each call, its exit code, its time and what gcloud wrote to stderr.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const GCLOUD = process.env.OBJBATCH_GCLOUD ?? "/usr/bin/gcloud";

/** Whether the tier can run here. */
export function gcloudInstalled(): boolean {
  return existsSync(GCLOUD);
}

export interface GcloudResult {
  /** gcloud's exit code: 0, 1 for an error it reports, 2 for a usage error. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface GcloudSession {
  readonly configDir: string;
  /** Writes `token` to a file of its own and returns the file's path, for `--access-token-file`. */
  tokenFile(name: string, token: string): Promise<string>;
  /** Runs `gcloud <args>` and resolves with what it did (never rejects on a non-zero exit). */
  run(args: readonly string[]): Promise<GcloudResult>;
  /** Runs `gcloud <args>` and rejects unless it exits 0. */
  ok(args: readonly string[]): Promise<GcloudResult>;
  dispose(): Promise<void>;
}

export async function gcloudSession(endpoint: string, project: string): Promise<GcloudSession> {
  const configDir = await mkdtemp(join(tmpdir(), "objbatch-gcloud-"));
  await mkdir(join(configDir, "configurations"));
  await writeFile(join(configDir, "active_config"), "default");
  await writeFile(
    join(configDir, "configurations", "config_default"),
    [
      "[core]",
      "disable_usage_reporting = true",
      "disable_prompts = true",
      `project = ${project}`,
      "",
      "[component_manager]",
      "disable_update_check = true",
      "",
      "[api_endpoint_overrides]",
      `storagebatchoperations = ${endpoint.endsWith("/") ? endpoint : `${endpoint}/`}`,
      "",
    ].join("\n"),
  );
  const run = (args: readonly string[]) =>
    new Promise<GcloudResult>((resolve, reject) => {
      const started = Date.now();
      execFile(
        GCLOUD,
        [...args],
        {
          env: { PATH: process.env.PATH, HOME: process.env.HOME, CLOUDSDK_CONFIG: configDir, LANG: "C.UTF-8" },
          maxBuffer: 16 * 1024 * 1024,
          encoding: "utf8",
        },
        (error, stdout, stderr) => {
          if (error && typeof error.code !== "number") return reject(error);
          const code = error ? Number(error.code) : 0;
          if (process.env.OBJBATCH_GCLOUD_LOG) {
            process.stderr.write(`gcloud ${args.join(" ")}: exit ${code} in ${Date.now() - started} ms\n${stderr}`);
          }
          resolve({ code, stdout, stderr });
        },
      );
    });
  return {
    configDir,
    async tokenFile(name, token) {
      const path = join(configDir, `${name}.token`);
      await writeFile(path, token);
      return path;
    },
    run,
    async ok(args) {
      const r = await run(args);
      if (r.code !== 0) throw new Error(`gcloud ${args.join(" ")} exited ${r.code}:\n${r.stderr}${r.stdout}`);
      return r;
    },
    dispose: () => rm(configDir, { recursive: true, force: true }),
  };
}
