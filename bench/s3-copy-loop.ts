/**
 * The bare-loop contenders of bench/s3-copy.ts, in a process of their own so that their CPU-seconds and peak RSS
 * are measured the same way as objbatch's (from /proc, around each round, the process warm):
 *
 *   sdk       the AWS SDK v3 alone: CopyObject in N lanes, a keep-alive agent of N sockets, checksums only where
 *             S3 requires them (the ceiling an SDK-based tool can reach)
 *   storage   objbatch's S3 backend alone (the checkout's dist/storage/s3): S3Storage.copy with the options a
 *             default copy job passes, in N lanes, no engine, no job store, no report
 *
 *   node --import tsx bench/s3-copy-loop.ts <sdk|storage> <checkout> <endpoint> <region> <key> <secret> <N>
 *
 * It reads one JSON command a line on stdin, `{"src": "...", "dst": "...", "keys": [...]}`, copies every key from
 * src to dst, and answers `{"ok": true}` (or `{"error": "..."}`) on stdout.
 */
import http from "node:http";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { CopyObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";

const [mode, checkout, endpoint, region, accessKeyId, secretAccessKey, lanesArg] = process.argv.slice(2);
const lanes = Number(lanesArg);
if (!["sdk", "storage"].includes(mode ?? "") || !checkout || !secretAccessKey || !(lanes > 0)) {
  process.stderr.write("usage: s3-copy-loop.ts <sdk|storage> <checkout> <endpoint> <region> <key> <secret> <N>\n");
  process.exit(2);
}

type CopyOne = (src: string, dst: string, key: string) => Promise<unknown>;

async function sdkCopier(): Promise<CopyOne> {
  const client = new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId: accessKeyId!, secretAccessKey: secretAccessKey! },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: lanes }) }),
  });
  return (src, dst, key) =>
    client.send(
      new CopyObjectCommand({
        Bucket: dst,
        Key: key,
        CopySource: `${src}/${key.split("/").map(encodeURIComponent).join("/")}`,
      }),
    );
}

async function storageCopier(): Promise<CopyOne> {
  const url = pathToFileURL(join(checkout!, "dist", "storage", "s3", "s3-storage.js")).href;
  const { S3Storage } = (await import(url)) as typeof import("../src/storage/s3/s3-storage.js");
  const storage = new S3Storage({
    kind: "s3",
    endpoint,
    region: region!,
    accessKeyId,
    secretAccessKey,
    forcePathStyle: true,
    maxSockets: lanes + 8,
  });
  // What put-object-copy.ts passes for a copy job that names no directive.
  const options = { metadataDirective: "Copy", taggingDirective: "Copy", aclDirective: "Replaced" } as const;
  return (src, dst, key) => storage.copy({ bucket: src, key }, { bucket: dst, key }, options);
}

const copy = mode === "sdk" ? await sdkCopier() : await storageCopier();

async function copyAll(src: string, dst: string, keys: readonly string[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, keys.length) }, async () => {
      while (next < keys.length) await copy(src, dst, keys[next++]!);
    }),
  );
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === "") continue;
  const command = JSON.parse(line) as { src: string; dst: string; keys: string[] };
  try {
    await copyAll(command.src, command.dst, command.keys);
    process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ error: String((e as Error).stack ?? e) })}\n`);
  }
}
