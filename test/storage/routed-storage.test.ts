/**
 * RoutedStorage (routed-storage.ts): buckets matched to stores by pattern (first match wins, the local data dir
 * last), multipart uploads and listings routed by bucket, copies inside one store kept server-side. Copies
 * across two stores: cross-store-copy.test.ts; the config file's `storage` entry: storage-config.test.ts.
 */
import assert from "node:assert/strict";
import { buffer } from "node:stream/consumers";
import { describe, it } from "node:test";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { isStorageError } from "../../src/storage/errors.js";
import type { RoutedStorage } from "../../src/storage/routed-storage.js";
import type { ObjectStorage } from "../../src/storage/types.js";
import type { S3rverHandle } from "../helpers/s3rver.js";
import { LOGS_ON_S3, withRoutedStorage } from "./helpers.js";

describe("RoutedStorage over s3rver and a local directory", () => {
  let s3: S3rverHandle;
  let storage: ObjectStorage;
  withRoutedStorage(LOGS_ON_S3, (routed) => {
    ({ s3, storage } = routed);
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

  it("lists each bucket from its own store", async () => {
    await storage.put("logs-b", "up.bin", "going up");
    await storage.put("local-b", "only-local.txt", "here");
    const keys: string[] = [];
    for await (const o of storage.list("logs-b")) keys.push(o.key);
    assert.deepEqual(keys, ["same.txt", "up.bin"]);
    const local: string[] = [];
    for await (const o of storage.list("local-b")) local.push(o.key);
    assert.deepEqual(local, ["only-local.txt"]);
  });
});
