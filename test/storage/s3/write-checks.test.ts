/**
 * WriteChecks (write-checks.ts): whether an endpoint honoured the tags and Object Lock settings a write sent is
 * learned from the first objects, then trusted, or made up for with separate requests. The "endpoint" here is a
 * real store, a local directory, whose objects are written with or without the tags and locks, as an endpoint
 * that honours or ignores them would leave them.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { lockMatches, sameTags, WriteChecks } from "../../../src/storage/s3/write-checks.js";
import { type Fixture, fixture } from "../local/helpers.js";

const tags = [
  { key: "team", value: "blue" },
  { key: "env", value: "prod" },
];

describe("WriteChecks", () => {
  let f: Fixture;
  let checks: WriteChecks;
  before(async () => {
    f = await fixture(["b"]);
    checks = new WriteChecks(f.storage);
  });
  after(() => f.cleanup());

  it("trusts an endpoint once an object shows the tags it was sent", async () => {
    const w = await f.storage.put("b", "put-1", "x", { tags });
    await checks.ensureTags("put", { bucket: "b", key: "put-1" }, tags, w, async () => []);
    // Trusted now: an object without the tags is not read back nor fixed.
    const w2 = await f.storage.put("b", "put-2", "x");
    await checks.ensureTags("put", { bucket: "b", key: "put-2" }, tags, w2, async () => []);
    assert.deepEqual(await f.storage.getTagging("b", "put-2"), []);
  });

  it("does not trust an endpoint on an object that would have had those tags anyway", async () => {
    const w = await f.storage.put("b", "copy-1", "x", { tags });
    await checks.ensureTags("copy", { bucket: "b", key: "copy-1" }, tags, w, async () => tags);
    const w2 = await f.storage.put("b", "copy-2", "x");
    await checks.ensureTags("copy", { bucket: "b", key: "copy-2" }, tags, w2, async () => []);
    assert.deepEqual(await f.storage.getTagging("b", "copy-2"), tags, "still checked, and set separately");
  });

  it("sets the tags separately from then on once an endpoint is seen to ignore them", async () => {
    const w = await f.storage.put("b", "mp-1", "x");
    await checks.ensureTags("multipart", { bucket: "b", key: "mp-1" }, tags, w, async () => []);
    assert.deepEqual(await f.storage.getTagging("b", "mp-1"), tags);
    const w2 = await f.storage.put("b", "mp-2", "x", { tags: [{ key: "other", value: "1" }] });
    await checks.ensureTags("multipart", { bucket: "b", key: "mp-2" }, tags, w2, async () => []);
    assert.deepEqual(await f.storage.getTagging("b", "mp-2"), tags);
  });

  it("sets Object Lock settings the endpoint ignored, and trusts one that kept them", async () => {
    const hold = { objectLockLegalHold: "ON" } as const;
    const ignored = await f.storage.put("b", "lock-1", "x");
    await checks.ensureLock("copy", { bucket: "b", key: "lock-1" }, hold, ignored);
    assert.equal((await f.storage.head("b", "lock-1")).objectLock?.legalHold, "ON");

    const kept = await f.storage.put("b", "lock-2", "x");
    await f.storage.putLegalHold("b", "lock-2", "ON");
    await checks.ensureLock("put", { bucket: "b", key: "lock-2" }, hold, kept);
    const unlocked = await f.storage.put("b", "lock-3", "x");
    await checks.ensureLock("put", { bucket: "b", key: "lock-3" }, hold, unlocked);
    assert.equal((await f.storage.head("b", "lock-3")).objectLock, undefined, "trusted: not read back");
    await checks.ensureLock("multipart", { bucket: "b", key: "lock-3" }, {}, unlocked);
    assert.equal((await f.storage.head("b", "lock-3")).objectLock, undefined, "no settings, nothing to do");
  });
});

describe("lockMatches and sameTags", () => {
  it("compares lock states as S3 keeps them (whole seconds)", () => {
    const until = new Date("2030-01-01T00:00:00.700Z");
    assert.equal(lockMatches(undefined, {}), true);
    assert.equal(lockMatches(undefined, { objectLockLegalHold: "ON" }), false);
    assert.equal(lockMatches({ legalHold: "ON" }, { objectLockLegalHold: "ON" }), true);
    assert.equal(
      lockMatches(
        { mode: "COMPLIANCE", retainUntilDate: new Date("2030-01-01T00:00:00Z") },
        { objectLockMode: "COMPLIANCE", objectLockRetainUntilDate: until },
      ),
      true,
    );
    assert.equal(lockMatches({ mode: "GOVERNANCE" }, { objectLockMode: "COMPLIANCE" }), false);
  });

  it("compares tag sets in any order", () => {
    assert.equal(sameTags(tags, [...tags].reverse()), true);
    assert.equal(sameTags(tags, tags.slice(1)), false);
    assert.equal(sameTags(tags, [tags[0]!, { key: "env", value: "dev" }]), false);
  });
});
