/**
 * The copy rule (copy-attributes.ts): what a copy gives the new object, first as functions, then on every kind
 * of copy objbatch makes, each through the same RoutedStorage: inside a local directory, server-side on an S3
 * endpoint (s3rver), and across the two stores both ways. The copy's preconditions follow one rule too
 * (copy-preconditions.ts): If-Match accepts `*` and a list of ETags everywhere.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { copiedAcl, copiedMetadata, copiedTags } from "../../src/storage/copy-attributes.js";
import type { ObjectStorage } from "../../src/storage/types.js";
import { rejectsWith } from "../helpers/storage-errors.js";
import { type RoutedOverS3rver, routedOverS3rver } from "./helpers.js";

const tag = (key: string, value = "v") => ({ key, value });
const grant = { granteeType: "id", identifier: "reader", permission: "READ" } as const;
const owner = { id: "source-owner", displayName: "Source" };

describe("copiedMetadata, copiedTags, copiedAcl", () => {
  it("keeps the source's value on Copy, takes the requested one on Replaced, merges on Add", () => {
    const source = { contentType: "text/plain", userMetadata: { a: "1", b: "old" } };
    assert.equal(copiedMetadata("Copy", source, { contentType: "x/y" }), source);
    assert.deepEqual(copiedMetadata("Replaced", source, { cacheControl: "no-cache" }), { cacheControl: "no-cache" });
    assert.deepEqual(copiedMetadata("Replaced", source, undefined), {});
    assert.deepEqual(copiedMetadata("Add", source, { userMetadata: { B: "new" } }), {
      contentType: "text/plain",
      userMetadata: { a: "1", b: "new" },
    });

    assert.deepEqual(copiedTags("Copy", [tag("s")], [tag("r")]), [tag("s")]);
    assert.deepEqual(copiedTags("Replaced", [tag("s")], [tag("r")]), [tag("r")]);
    assert.deepEqual(copiedTags("Replaced", [tag("s")], undefined), []);
    assert.deepEqual(copiedTags("Add", [tag("s", "1"), tag("o", "old")], [tag("o", "new")]), [
      tag("s", "1"),
      tag("o", "new"),
    ]);
  });

  it("checks the tag set it writes: a merge over 10 tags, a replaced set over 10, duplicate keys", () => {
    const nine = Array.from({ length: 9 }, (_, i) => tag(`n${i}`));
    assert.equal(copiedTags("Add", [tag("s")], nine).length, 10);
    assert.throws(
      () => copiedTags("Add", [tag("s"), tag("t")], nine),
      (e: unknown) => (e as { code?: string }).code === "BadRequest",
    );
    assert.throws(
      () => copiedTags("Replaced", [], [...nine, tag("x"), tag("y")]),
      (e: unknown) => (e as { code?: string }).code === "BadRequest",
    );
    assert.throws(
      () => copiedTags("Replaced", [], [tag("d", "1"), tag("d", "2")]),
      (e: unknown) => (e as { code?: string }).code === "InvalidTag",
    );
    // The source's own tags are copied as they are.
    assert.equal(copiedTags("Copy", [...nine, tag("x"), tag("y")], undefined).length, 11);
  });

  it("never carries the source's owner; Replaced without an ACL means the store's default", () => {
    const source = { canned: "public-read", grants: [grant], owner };
    assert.deepEqual(copiedAcl("Copy", source, undefined), { canned: "public-read", grants: [grant] });
    const extra = { granteeType: "id", identifier: "writer", permission: "WRITE_ACP" } as const;
    assert.deepEqual(copiedAcl("Add", source, { grants: [extra] }), { canned: "public-read", grants: [grant, extra] });
    assert.deepEqual(copiedAcl("Add", source, { owner: { id: "new-owner" } }), {
      canned: "public-read",
      grants: [grant],
      owner: { id: "new-owner" },
    });
    assert.equal(copiedAcl("Replaced", source, undefined), undefined);
    assert.deepEqual(copiedAcl("Replaced", source, { canned: "private" }), { canned: "private" });
  });
});

describe("the copy rule on every backend", () => {
  let routed: RoutedOverS3rver;
  let storage: ObjectStorage;
  const etags = new Map<string, string>();

  before(async () => {
    routed = await routedOverS3rver({
      s3Pattern: "s3-*",
      s3Buckets: ["s3-src", "s3-dst"],
      localBuckets: ["loc-src", "loc-dst"],
    });
    storage = routed.storage;
    for (const bucket of ["loc-src", "s3-src"]) {
      const written = await storage.put(bucket, "obj.txt", "body", { tags: [tag("s1"), tag("s2")] });
      etags.set(bucket, written.etag);
    }
    await storage.putAcl("loc-src", "obj.txt", { canned: "public-read", grants: [grant], owner });
  });
  after(() => routed?.close());

  const copies = [
    { name: "inside a local directory", from: "loc-src", to: "loc-dst" },
    { name: "server-side on an S3 endpoint", from: "s3-src", to: "s3-dst" },
    { name: "from a local directory to S3", from: "loc-src", to: "s3-dst" },
    { name: "from S3 to a local directory", from: "s3-src", to: "loc-dst" },
  ] as const;

  for (const { name, from, to } of copies) {
    describe(name, () => {
      const source = { bucket: from, key: "obj.txt" };
      const target = (key: string) => ({ bucket: to, key: `${from}/${key}` });

      it("refuses a merged tag set over 10 tags with 400 BadRequest and writes nothing", async () => {
        const nine = Array.from({ length: 9 }, (_, i) => tag(`n${i}`));
        await rejectsWith(
          storage.copy(source, target("add-11"), { taggingDirective: "Add", tags: nine, aclDirective: "Replaced" }),
          "BadRequest",
          400,
        );
        await rejectsWith(storage.head(to, `${from}/add-11`), "NoSuchKey", 404);
      });

      it("refuses a replaced tag set over 10 tags the same way", async () => {
        const eleven = Array.from({ length: 11 }, (_, i) => tag(`n${i}`));
        await rejectsWith(
          storage.copy(source, target("replaced-11"), {
            taggingDirective: "Replaced",
            tags: eleven,
            aclDirective: "Replaced",
          }),
          "BadRequest",
          400,
        );
        await rejectsWith(storage.head(to, `${from}/replaced-11`), "NoSuchKey", 404);
      });

      it("merges tags up to the limit with Add", async () => {
        const eight = Array.from({ length: 8 }, (_, i) => tag(`n${i}`));
        await storage.copy(source, target("add-10"), {
          taggingDirective: "Add",
          tags: eight,
          aclDirective: "Replaced",
        });
        const tags = (await storage.getTagging(to, `${from}/add-10`)).map((t) => t.key).sort();
        assert.deepEqual(tags, ["n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "s1", "s2"]);
      });

      it("accepts If-Match * and an If-Match list holding the source's ETag, refuses a list without it", async () => {
        const etag = etags.get(from)!;
        await storage.copy(source, target("if-star"), { ifMatch: "*", aclDirective: "Replaced" });
        await storage.copy(source, target("if-list"), { ifMatch: `"0123", ${etag}`, aclDirective: "Replaced" });
        assert.equal((await storage.head(to, `${from}/if-list`)).size, 4);
        await rejectsWith(
          storage.copy(source, target("if-none"), { ifMatch: '"0123", "4567"', aclDirective: "Replaced" }),
          "PreconditionFailed",
          412,
        );
      });

      if (to === "loc-dst") {
        it("never gives the copy the source's owner, with the Copy or the Add ACL directive", async () => {
          await storage.copy(source, target("acl-copy"), { aclDirective: "Copy" });
          await storage.copy(source, target("acl-add"), { aclDirective: "Add", acl: { canned: "public-read" } });
          for (const key of ["acl-copy", "acl-add"]) {
            const acl = await storage.getAcl(to, `${from}/${key}`);
            assert.equal(acl.owner, undefined, key);
            if (from === "loc-src") assert.deepEqual(acl, { canned: "public-read", grants: [grant] }, key);
          }
        });
      }
    });
  }
});
