/**
 * S3Storage.list against a real s3rver (listing.ts): ListObjectsV2 page by page, in key order, with a prefix and
 * a key to start after.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { S3Storage } from "../../../src/storage/s3/index.js";
import type { S3rverHandle } from "../../helpers/s3rver.js";
import { withS3Storage } from "../helpers.js";

describe("S3Storage.list on s3rver", () => {
  let s3: S3rverHandle;
  let storage: S3Storage;
  withS3Storage(["empty"], (server) => {
    ({ s3, storage } = server);
  });

  it("lists in key order across pages, with prefix and startAfter", async () => {
    const keys = Array.from({ length: 1205 }, (_, i) => `list/k${String(i).padStart(5, "0")}`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(
        keys.slice(i, i + 50).map((Key) => s3.client.send(new PutObjectCommand({ Bucket: "empty", Key, Body: "x" }))),
      );
    }
    await s3.client.send(new PutObjectCommand({ Bucket: "empty", Key: "other/z", Body: "yy" }));
    const all: string[] = [];
    for await (const o of storage.list("empty", { prefix: "list/" })) {
      if (all.length === 0) {
        assert.equal(o.size, 1);
        assert.equal(o.etag, '"9dd4e461268c8034f5c8564e155c67a6"');
        assert.equal(o.storageClass, "STANDARD");
        assert.ok(o.lastModified instanceof Date);
      }
      all.push(o.key);
    }
    assert.deepEqual(all, keys, "every key once, in order, across two continuation tokens");
    const afterSome: string[] = [];
    for await (const o of storage.list("empty", { startAfter: "list/k01199" })) afterSome.push(o.key);
    assert.deepEqual(afterSome, [...keys.slice(1200), "other/z"]);
  });
});
