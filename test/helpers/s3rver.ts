/**
 * A real s3rver for tests, in a child process on a free loopback port with a temporary directory.
 *
 * s3rver needs Node's OpenSSL legacy provider for the DES cipher of its continuation tokens (without it every
 * paged listing answers 500). Running it in a child started with `--openssl-legacy-provider` keeps that flag out
 * of the test process, so `node --import tsx --test <file>` works as is, on Node 20 and Node 24.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import type { S3StorageConfig } from "../../src/storage/open-storage.js";

/** s3rver accepts any key pair that signs correctly; this one is s3rver's default account. */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

export interface S3rverHandle {
  readonly endpoint: string;
  readonly directory: string;
  /** A storage config for this server (objbatch's S3 backend). */
  storageConfig(extra?: Partial<S3StorageConfig>): S3StorageConfig;
  /** A plain AWS SDK client for this server, for setting up and checking objects independently of objbatch. */
  readonly client: S3Client;
  createBuckets(...buckets: string[]): Promise<void>;
  stop(): Promise<void>;
}

const CHILD = fileURLToPath(new URL("./s3rver-child.cjs", import.meta.url));

export async function startS3rver(options: { buckets?: readonly string[] } = {}): Promise<S3rverHandle> {
  const directory = await mkdtemp(join(tmpdir(), "objbatch-s3rver-"));
  const child = spawn(process.execPath, ["--openssl-legacy-provider", CHILD, directory], {
    stdio: ["pipe", "pipe", "pipe"],
    // The test runner's own loaders and flags are not wanted in s3rver.
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const port = await readPort(child, () => stderr);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    // A copy: the SDK marks the credentials object it is given (a `$source` field).
    credentials: { ...S3RVER_CREDENTIALS },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const handle: S3rverHandle = {
    endpoint,
    directory,
    client,
    storageConfig: (extra = {}) => ({
      kind: "s3",
      endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      ...S3RVER_CREDENTIALS,
      ...extra,
    }),
    async createBuckets(...buckets) {
      for (const Bucket of buckets) await client.send(new CreateBucketCommand({ Bucket }));
    },
    async stop() {
      client.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.stdin!.end();
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
  await handle.createBuckets(...(options.buckets ?? []));
  return handle;
}

function readPort(child: ChildProcess, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      lines.close();
      resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once("exit", (code) => reject(new Error(`s3rver exited with ${code} before listening: ${stderr()}`)));
  });
}
