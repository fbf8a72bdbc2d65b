/**
 * Storage routing: buckets matched to stores by pattern (first match wins, the local data dir last), copies
 * inside one store and across two (s3rver <-> local directory), and the config file's `storage` entry.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buffer } from "node:stream/consumers";
import { after, before, describe, it } from "node:test";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { ConfigError, loadConfig } from "../../../src/config.js";
import { openStorage, type StorageConfig } from "../../../src/storage/open-storage.js";
import type { RoutedStorage } from "../../../src/storage/routed-storage.js";
import { isStorageError, type ObjectStorage } from "../../../src/storage/types.js";
import { type S3rverHandle, startS3rver } from "../../helpers/s3rver.js";

describe("RoutedStorage over s3rver and a local directory", () => {
  let s3: S3rverHandle;
  let dataDir: string;
  let storage: ObjectStorage;

  before(async () => {
    s3 = await startS3rver({ buckets: ["logs-a", "logs-b"] });
    dataDir = await mkdtemp(join(tmpdir(), "objbatch-routed-"));
    const config: StorageConfig = {
      kind: "routed",
      routes: [
        { buckets: ["logs-*"], store: s3.storageConfig() },
        { buckets: ["*"], store: { kind: "local", dataDir } },
      ],
    };
    storage = openStorage(config);
    await storage.createBucket("local-a");
    await storage.createBucket("local-b");
  });
  after(async () => {
    await storage?.close();
    await s3?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("sends each bucket to the first route that matches it", async () => {
    const routed = storage as RoutedStorage;
    assert.match(routed.storageFor("logs-a").description, /^s3:http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(routed.storageFor("local-a").description, /^local:/);
    assert.match(routed.storageFor("logsx").description, /^local:/, "logs-* needs the dash");
    await storage.put("logs-a", "k.txt", "on s3");
    await storage.put("local-a", "k.txt", "on disk");
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: "logs-a", Key: "k.txt" }));
    assert.equal(head.ContentLength, 5);
    assert.equal((await buffer(await storage.get("local-a", "k.txt"))).toString(), "on disk");
    assert.equal(await storage.bucketExists("logs-a"), true);
    assert.equal(await storage.bucketExists("local-a"), true);
    assert.equal(await storage.bucketExists("local-zzz"), false);
  });

  it("routes multipart uploads by bucket (through the local store's settings wrapper too)", async () => {
    for (const bucket of ["logs-a", "local-a"]) {
      const id = await storage.createMultipartUpload(bucket, "mp/report.csv", {
        metadata: { contentType: "text/csv" },
      });
      const p2 = await storage.uploadPart(bucket, "mp/report.csv", id, 2, Buffer.from("b"));
      const p1 = await storage.uploadPart(bucket, "mp/report.csv", id, 1, Buffer.from("a,"));
      await storage.completeMultipartUpload(bucket, "mp/report.csv", id, [p1, p2]);
      assert.equal((await buffer(await storage.get(bucket, "mp/report.csv"))).toString(), "a,b", bucket);
      assert.equal((await storage.head(bucket, "mp/report.csv")).metadata.contentType, "text/csv", bucket);
    }
    const local = await storage.createMultipartUpload("local-a", "mp/pending.csv");
    const pending: unknown[] = [];
    for await (const u of storage.listMultipartUploads("local-a", "mp/")) pending.push(u);
    assert.deepEqual(pending, [{ key: "mp/pending.csv", uploadId: local }]);
    await storage.abortMultipartUpload("local-a", "mp/pending.csv", local);
    // s3rver has no ListMultipartUploads: its 501 comes through the route unchanged.
    await assert.rejects(
      (async () => {
        for await (const _ of storage.listMultipartUploads("logs-a", "")) break;
      })(),
      (e: unknown) => isStorageError(e) && e.code === "NotImplemented",
    );
  });

  it("copies inside one S3 store server-side", async () => {
    await storage.put("logs-a", "same.txt", "same store", { metadata: { contentType: "text/x-same" } });
    await storage.copy({ bucket: "logs-a", key: "same.txt" }, { bucket: "logs-b", key: "same.txt" });
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: "logs-b", Key: "same.txt" }));
    assert.equal(head.ContentType, "text/x-same");
  });

  it("copies from S3 to a local bucket, keeping metadata and tags (Copy directives)", async () => {
    await storage.put("logs-a", "dir/cross.txt", "crossing", {
      metadata: { contentType: "text/x-cross", userMetadata: { who: "s3" } },
    });
    await storage.putTagging("logs-a", "dir/cross.txt", [{ key: "t", value: "1" }]);
    await storage.copy(
      { bucket: "logs-a", key: "dir/cross.txt" },
      { bucket: "local-a", key: "from-s3/cross.txt" },
      { aclDirective: "Replaced" },
    );
    const info = await storage.head("local-a", "from-s3/cross.txt");
    assert.equal(info.metadata.contentType, "text/x-cross");
    assert.deepEqual(info.metadata.userMetadata, { who: "s3" });
    assert.equal(info.etag, (await storage.head("logs-a", "dir/cross.txt")).etag);
    assert.deepEqual(await storage.getTagging("local-a", "from-s3/cross.txt"), [{ key: "t", value: "1" }]);
    assert.equal((await buffer(await storage.get("local-a", "from-s3/cross.txt"))).toString(), "crossing");
  });

  it("copies from a local bucket to S3 with Replaced metadata", async () => {
    await storage.put("local-b", "up.bin", "going up", {
      metadata: { contentType: "application/x-up", userMetadata: { old: "o" } },
    });
    await storage.copy(
      { bucket: "local-b", key: "up.bin" },
      { bucket: "logs-b", key: "up.bin" },
      {
        metadataDirective: "Replaced",
        metadata: { contentType: "text/x-new", userMetadata: { new: "n" } },
        aclDirective: "Replaced",
      },
    );
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: "logs-b", Key: "up.bin" }));
    assert.equal(head.ContentType, "text/x-new");
    assert.deepEqual(head.Metadata, { new: "n" });
    assert.equal((await buffer(await storage.get("logs-b", "up.bin"))).toString(), "going up");
  });

  it("merges tags and metadata over the source's with Add directives across stores", async () => {
    // (s3rver drops tags sent with PutObject, so tags are merged into the local side; radosgw checks the other way.)
    await storage.put("logs-a", "add.txt", "add", {
      metadata: { contentType: "text/plain", userMetadata: { a: "1", b: "old" } },
    });
    await storage.putTagging("logs-a", "add.txt", [
      { key: "keep", value: "k" },
      { key: "over", value: "old" },
    ]);
    await storage.copy(
      { bucket: "logs-a", key: "add.txt" },
      { bucket: "local-b", key: "add.txt" },
      {
        metadataDirective: "Add",
        metadata: { userMetadata: { b: "new" } },
        taggingDirective: "Add",
        tags: [
          { key: "over", value: "new" },
          { key: "added", value: "a" },
        ],
        aclDirective: "Replaced",
      },
    );
    const info = await storage.head("local-b", "add.txt");
    assert.equal(info.metadata.contentType, "text/plain");
    assert.deepEqual(info.metadata.userMetadata, { a: "1", b: "new" });
    const tags = (await storage.getTagging("local-b", "add.txt")).map((t) => `${t.key}=${t.value}`).sort();
    assert.deepEqual(tags, ["added=a", "keep=k", "over=new"]);
  });

  it("checks a cross-store copy's preconditions against the source", async () => {
    await storage.put("local-a", "pre.txt", "p");
    const info = await storage.head("local-a", "pre.txt");
    await assert.rejects(
      storage.copy({ bucket: "local-a", key: "pre.txt" }, { bucket: "logs-a", key: "pre.txt" }, { ifMatch: '"ffff"' }),
      (e: unknown) => isStorageError(e) && e.code === "PreconditionFailed" && e.httpStatus === 412,
    );
    await assert.rejects(
      storage.copy(
        { bucket: "local-a", key: "pre.txt" },
        { bucket: "logs-a", key: "pre.txt" },
        { ifModifiedSince: new Date(info.lastModified.getTime() + 60_000) },
      ),
      (e: unknown) => isStorageError(e) && e.code === "PreconditionFailed",
    );
    await assert.rejects(
      storage.copy({ bucket: "logs-a", key: "missing" }, { bucket: "local-a", key: "x" }),
      (e: unknown) => isStorageError(e) && e.code === "NoSuchKey" && e.httpStatus === 404,
    );
  });

  it("refuses SSE-KMS on a local target instead of dropping it", async () => {
    await storage.put("local-a", "kms.txt", "k");
    await assert.rejects(
      storage.copy(
        { bucket: "local-a", key: "kms.txt" },
        { bucket: "local-b", key: "kms.txt" },
        { sseKmsKeyId: "arn:aws:kms:us-east-1:1:key/x" },
      ),
      (e: unknown) => isStorageError(e) && e.code === "NotImplemented" && e.httpStatus === 501 && !e.retryable,
    );
    await assert.rejects(
      storage.head("local-b", "kms.txt"),
      (e: unknown) => isStorageError(e) && e.code === "NoSuchKey",
    );
  });

  it("lists each bucket from its own store", async () => {
    const keys: string[] = [];
    for await (const o of storage.list("logs-b")) keys.push(o.key);
    assert.deepEqual(keys, ["same.txt", "up.bin"]);
  });
});

describe("the config file's storage routes", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "objbatch-storage-config-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function load(storage: unknown) {
    const { writeFile } = await import("node:fs/promises");
    const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(file, JSON.stringify({ storage }));
    return loadConfig({
      env: { OBJBATCH_ACCESS_KEY: "ak", OBJBATCH_SECRET_KEY: "sk" },
      flags: { dataDir: dir, config: file },
    });
  }

  it("defaults to the local data dir", () => {
    const c = loadConfig({ env: { OBJBATCH_ACCESS_KEY: "ak", OBJBATCH_SECRET_KEY: "sk" }, flags: { dataDir: dir } });
    assert.deepEqual(c.storage, { kind: "local", dataDir: dir });
  });

  it("reads routes in order and ends with the data dir for every other bucket", async () => {
    const c = await load([
      {
        buckets: ["logs-*"],
        kind: "s3",
        endpoint: "http://127.0.0.1:7480",
        region: "us-east-1",
        accessKeyId: "AK",
        secretAccessKey: "SK",
        forcePathStyle: true,
      },
      { buckets: ["archive"], kind: "local", dataDir: join(dir, "archive") },
    ]);
    assert.equal(c.storage.kind, "routed");
    assert.deepEqual(c.storage.kind === "routed" && c.storage.routes, [
      {
        buckets: ["logs-*"],
        store: {
          kind: "s3",
          endpoint: "http://127.0.0.1:7480",
          region: "us-east-1",
          accessKeyId: "AK",
          secretAccessKey: "SK",
          forcePathStyle: true,
          maxSockets: c.engine.taskConcurrency + 8,
        },
      },
      { buckets: ["archive"], store: { kind: "local", dataDir: join(dir, "archive") } },
      { buckets: ["*"], store: { kind: "local", dataDir: dir } },
    ]);
  });

  const bad: [string, unknown, RegExp][] = [
    ["not a list", { kind: "s3" }, /^config file storage: expected an array of storage routes, got an object$/],
    ["no buckets", [{ kind: "local" }], /^config file storage\[0\]\.buckets: required \(a non-empty array of/],
    ["unknown kind", [{ buckets: ["*"], kind: "gcs" }], /storage\[0\]\.kind: expected "s3" or "local", got "gcs"/],
    [
      "a typo",
      [{ buckets: ["*"], kind: "s3", region: "us-east-1", forcePathstyle: true }],
      /storage\[0\]\.forcePathstyle: unknown field, did you mean "forcePathStyle"\?/,
    ],
    ["no region", [{ buckets: ["*"], kind: "s3", endpoint: "http://x:1" }], /storage\[0\]\.region: required/],
    [
      "a bad endpoint",
      [{ buckets: ["*"], kind: "s3", region: "r", endpoint: "127.0.0.1:7480" }],
      /endpoint must be an http\(s\):\/\/ URL, got "127.0.0.1:7480"/,
    ],
    [
      "half a key pair",
      [{ buckets: ["*"], kind: "s3", region: "r", accessKeyId: "AK" }],
      /accessKeyId and secretAccessKey go together/,
    ],
    [
      "a bad pool size",
      [{ buckets: ["*"], kind: "s3", region: "r", maxSockets: 0 }],
      /storage\[0\]\.maxSockets: expected an integer from 1 to 10000, got 0/,
    ],
  ];
  for (const [name, value, message] of bad) {
    it(`refuses ${name} with a clear ConfigError`, async () => {
      await assert.rejects(load(value), (e: unknown) => e instanceof ConfigError && message.test(e.message));
    });
  }

  it("never shows a secret in a config error", async () => {
    await assert.rejects(
      load([
        { buckets: ["*"], kind: "s3", region: "r", accessKeyId: "AK", secretAccessKey: "TOPSECRET", maxSockets: -1 },
      ]),
      (e: unknown) => e instanceof ConfigError && !e.message.includes("TOPSECRET"),
    );
  });
});
