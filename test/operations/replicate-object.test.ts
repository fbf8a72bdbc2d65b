import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { replicateObject } from "../../src/operations/replicate-object.js";
import { contextOf, type Fixture, withFixture } from "./helpers.js";

describe("replicateObject", () => {
  let f: Fixture;
  before(async () => {
    f = await withFixture();
  });
  after(() => f.cleanup());

  it("fails every task with 400 InvalidRequest naming the missing replication configuration, touching nothing", async () => {
    await f.drop("src", "a.txt", "a");
    const result = await replicateObject({ bucket: "src", key: "a.txt" }, { kind: "ReplicateObject" }, contextOf(f));
    assert.equal(result.status, "failed");
    assert.equal(result.httpStatus, 400);
    assert.equal(result.errorCode, "InvalidRequest");
    assert.match(result.message, /^The source bucket src has no replication configuration/);
    assert.match(result.message, /PutObjectCopy/);
    assert.deepEqual(readdirSync(join(f.dataDir, "buckets", "dst")), []);
    assert.deepEqual(await f.storage.getTagging("src", "a.txt"), []);
  });
});
