/**
 * UpdateObjectMetadata (Google putMetadata, D45) on the local backend: a patch in place of the metadata row
 * (s3rver in google-operations-s3.test.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { UpdateObjectMetadataOperation } from "../../src/domain/job.js";
import { patchMetadata, updateObjectMetadata } from "../../src/operations/update-object-metadata.js";
import { contextOf, type Fixture, text, withFixture } from "./helpers.js";

const op = (fields: Omit<UpdateObjectMetadataOperation, "kind">): UpdateObjectMetadataOperation => ({
  kind: "UpdateObjectMetadata",
  ...fields,
});

describe("updateObjectMetadata", () => {
  let f: Fixture;
  before(async () => {
    f = await withFixture();
  });
  after(() => f.cleanup());

  it("replaces the fields given, merges user metadata, keeps the rest, the bytes and the tags", async () => {
    await f.storage.put("src", "a.txt", "body", {
      metadata: {
        contentType: "text/plain",
        cacheControl: "max-age=60",
        contentLanguage: "en",
        userMetadata: { keep: "1", change: "old", drop: "x" },
      },
      tags: [{ key: "t", value: "1" }],
    });
    const patch = op({
      cacheControl: "no-store",
      contentLanguage: "",
      contentDisposition: "attachment",
      userMetadata: [
        { key: "Change", value: "new" },
        { key: "drop", value: "" },
        { key: "added", value: "yes" },
      ],
    });
    const result = await updateObjectMetadata({ bucket: "src", key: "a.txt" }, patch, contextOf(f));
    assert.equal(result.status, "succeeded");
    const info = await f.storage.head("src", "a.txt");
    assert.deepEqual(info.metadata, {
      contentType: "text/plain",
      cacheControl: "no-store",
      contentDisposition: "attachment",
      userMetadata: { keep: "1", change: "new", added: "yes" },
    });
    assert.equal(await text(f.storage.get("src", "a.txt")), "body");
    assert.deepEqual(await f.storage.getTagging("src", "a.txt"), [{ key: "t", value: "1" }]);
    const again = await updateObjectMetadata({ bucket: "src", key: "a.txt" }, patch, contextOf(f));
    assert.equal(again.status, "succeeded", "safe to repeat");
    assert.deepEqual((await f.storage.head("src", "a.txt")).metadata, info.metadata);
  });

  it("keeps Custom-Time as user metadata: set, moved later, never earlier or removed", async () => {
    await f.drop("src", "t.txt", "t");
    const task = { bucket: "src", key: "t.txt" };
    const set = await updateObjectMetadata(task, op({ customTime: "2025-06-01T00:00:00+02:00" }), contextOf(f));
    assert.equal(set.status, "succeeded");
    const user = () => f.storage.head("src", "t.txt").then((i) => i.metadata.userMetadata);
    assert.deepEqual(await user(), { "custom-time": "2025-05-31T22:00:00.000Z" });
    const earlier = await updateObjectMetadata(task, op({ customTime: "2025-01-01T00:00:00Z" }), contextOf(f));
    assert.deepEqual([earlier.status, earlier.httpStatus, earlier.errorCode], ["failed", 400, "InvalidArgument"]);
    assert.match(earlier.message, /cannot decrease/);
    const removed = await updateObjectMetadata(task, op({ customTime: "" }), contextOf(f));
    assert.equal(removed.errorCode, "InvalidArgument");
    const bad = await updateObjectMetadata(task, op({ customTime: "soon" }), contextOf(f));
    assert.equal(bad.errorCode, "InvalidArgument");
    assert.deepEqual(await user(), { "custom-time": "2025-05-31T22:00:00.000Z" }, "refusals change nothing");
    const later = await updateObjectMetadata(task, op({ customTime: "2026-01-01T00:00:00Z" }), contextOf(f));
    assert.equal(later.status, "succeeded");
    assert.deepEqual(await user(), { "custom-time": "2026-01-01T00:00:00.000Z" });
  });

  it("sets a retention with the metadata, as PutObjectRetention does, and refuses a bad one first", async () => {
    await f.drop("src", "r.txt", "r");
    const task = { bucket: "src", key: "r.txt" };
    const retention = { mode: "GOVERNANCE", retainUntilDate: "2099-01-01T00:00:00Z" } as const;
    const result = await updateObjectMetadata(task, op({ contentType: "text/x-r", retention }), contextOf(f));
    assert.equal(result.status, "succeeded");
    const info = await f.storage.head("src", "r.txt");
    assert.equal(info.metadata.contentType, "text/x-r");
    assert.deepEqual(info.objectLock, {
      legalHold: "OFF",
      mode: "GOVERNANCE",
      retainUntilDate: new Date("2099-01-01T00:00:00Z"),
    });
    const bad = await updateObjectMetadata(
      task,
      op({ contentType: "text/x-other", retention: { mode: "GOVERNANCE", retainUntilDate: "never" } }),
      contextOf(f),
    );
    assert.deepEqual([bad.status, bad.httpStatus], ["failed", 400]);
    assert.equal((await f.storage.head("src", "r.txt")).metadata.contentType, "text/x-r", "nothing written");
  });

  it("changes the metadata of a held object (its data stays protected)", async () => {
    await f.drop("src", "held.txt", "h");
    await f.storage.putLegalHold("src", "held.txt", "ON");
    await f.storage.putEventBasedHold("src", "held.txt", true);
    const result = await updateObjectMetadata(
      { bucket: "src", key: "held.txt" },
      op({ cacheControl: "private" }),
      contextOf(f),
    );
    assert.equal(result.status, "succeeded");
    const info = await f.storage.head("src", "held.txt");
    assert.equal(info.metadata.cacheControl, "private");
    assert.deepEqual(info.objectLock, { legalHold: "ON", eventBasedHold: true });
    await assert.rejects(f.storage.delete("src", "held.txt"), { code: "AccessDenied" });
  });

  it("fails missing objects (404) and refuses to replace metadata of an object changed since it was read (412)", async () => {
    const missing = await updateObjectMetadata({ bucket: "src", key: "none" }, op({ cacheControl: "x" }), contextOf(f));
    assert.deepEqual([missing.httpStatus, missing.errorCode], [404, "NoSuchKey"]);
    await f.storage.put("src", "race.txt", "first");
    const read = await f.storage.head("src", "race.txt");
    await f.storage.put("src", "race.txt", "second", { metadata: { cacheControl: "theirs" } });
    await assert.rejects(
      f.storage.replaceMetadata("src", "race.txt", { cacheControl: "mine" }, { ifMatch: read.etag }),
      { code: "PreconditionFailed", httpStatus: 412 },
    );
    assert.equal((await f.storage.head("src", "race.txt")).metadata.cacheControl, "theirs");
  });
});

describe("patchMetadata", () => {
  it("leaves what the patch does not name, lower-cases user metadata keys and drops an emptied map", () => {
    const current = { contentType: "a/b", expires: "Wed, 21 Oct 2099 07:28:00 GMT", userMetadata: { only: "1" } };
    assert.deepEqual(patchMetadata(current, op({ userMetadata: [{ key: "ONLY", value: "" }] })), {
      contentType: "a/b",
      expires: "Wed, 21 Oct 2099 07:28:00 GMT",
    });
    assert.deepEqual(patchMetadata(current, op({ contentType: "" })), {
      expires: "Wed, 21 Oct 2099 07:28:00 GMT",
      userMetadata: { only: "1" },
    });
  });
});
