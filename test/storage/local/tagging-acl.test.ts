/**
 * LocalStorage tags and ACLs: get/put/delete, S3's validation rules, and that they change nothing else.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { type Fixture, fixture, rejectsWith, text } from "./helpers.js";

const md5 = (s: string) => `"${createHash("md5").update(s).digest("hex")}"`;

describe("LocalStorage tagging", () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(() => f.cleanup());

  it("puts, gets and deletes tags of a hand-dropped object", async () => {
    await f.drop("src", "t/obj.txt", "body");
    await f.storage.putTagging("src", "t/obj.txt", [
      { key: "a", value: "1" },
      { key: "b", value: "" },
    ]);
    assert.deepEqual(await f.storage.getTagging("src", "t/obj.txt"), [
      { key: "a", value: "1" },
      { key: "b", value: "" },
    ]);
    await f.storage.putTagging("src", "t/obj.txt", [{ key: "c", value: "3" }]);
    assert.deepEqual(await f.storage.getTagging("src", "t/obj.txt"), [{ key: "c", value: "3" }]);
    const info = await f.storage.head("src", "t/obj.txt");
    assert.equal(info.etag, md5("body"), "tagging does not change the object");
    assert.equal(info.metadata.contentType, "text/plain");
    await f.storage.deleteTagging("src", "t/obj.txt");
    assert.deepEqual(await f.storage.getTagging("src", "t/obj.txt"), []);
    await f.storage.deleteTagging("src", "t/obj.txt");
    assert.equal(await text(f.storage.get("src", "t/obj.txt")), "body");
  });

  it("validates tag sets like S3", async () => {
    await f.drop("src", "v.txt", "v");
    const eleven = Array.from({ length: 11 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    const e = await rejectsWith(f.storage.putTagging("src", "v.txt", eleven), "BadRequest", 400);
    assert.match(e.message, /cannot be greater than 10/);
    await rejectsWith(f.storage.putTagging("src", "v.txt", [{ key: "", value: "v" }]), "InvalidTag", 400);
    await rejectsWith(f.storage.putTagging("src", "v.txt", [{ key: "k".repeat(129), value: "v" }]), "InvalidTag", 400);
    await rejectsWith(f.storage.putTagging("src", "v.txt", [{ key: "k", value: "v".repeat(257) }]), "InvalidTag", 400);
    await rejectsWith(
      f.storage.putTagging("src", "v.txt", [
        { key: "d", value: "1" },
        { key: "d", value: "2" },
      ]),
      "InvalidTag",
      400,
    );
    assert.deepEqual(await f.storage.getTagging("src", "v.txt"), []);
    await f.storage.putTagging("src", "v.txt", eleven.slice(0, 10));
    assert.equal((await f.storage.getTagging("src", "v.txt")).length, 10);
  });

  it("answers 404 NoSuchKey for tags of a missing object", async () => {
    await rejectsWith(f.storage.getTagging("src", "none"), "NoSuchKey", 404);
    await rejectsWith(f.storage.putTagging("src", "none", []), "NoSuchKey", 404);
    await rejectsWith(f.storage.deleteTagging("src", "none"), "NoSuchKey", 404);
  });

  it("allows tagging archived objects", async () => {
    await f.storage.put("src", "glacier.txt", "g", { storageClass: "GLACIER" });
    await f.storage.putTagging("src", "glacier.txt", [{ key: "cold", value: "yes" }]);
    assert.deepEqual(await f.storage.getTagging("src", "glacier.txt"), [{ key: "cold", value: "yes" }]);
    assert.equal((await f.storage.head("src", "glacier.txt")).storageClass, "GLACIER");
  });
});

describe("LocalStorage ACLs", () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(() => f.cleanup());

  it("defaults to private, stores canned ACLs and grants, and keeps the rest of the object", async () => {
    await f.storage.put("src", "a.txt", "a", { tags: [{ key: "k", value: "v" }] });
    assert.deepEqual(await f.storage.getAcl("src", "a.txt"), { canned: "private" });
    await f.storage.putAcl("src", "a.txt", { canned: "public-read" });
    assert.deepEqual(await f.storage.getAcl("src", "a.txt"), { canned: "public-read" });
    const acl = {
      owner: { id: "qcs::cam::uin/1:uin/1" },
      grants: [
        { granteeType: "id", identifier: "qcs::cam::uin/1:uin/2", permission: "READ" },
        { granteeType: "uri", identifier: "http://acs.amazonaws.com/groups/global/AllUsers", permission: "READ_ACP" },
      ],
    } as const;
    await f.storage.putAcl("src", "a.txt", acl);
    assert.deepEqual(await f.storage.getAcl("src", "a.txt"), acl);
    await f.storage.putAcl("src", "a.txt", { canned: "private" });
    assert.deepEqual(await f.storage.getAcl("src", "a.txt"), { canned: "private" });
    assert.deepEqual(await f.storage.getTagging("src", "a.txt"), [{ key: "k", value: "v" }]);
  });

  it("refuses unknown canned ACLs and missing objects", async () => {
    await f.drop("src", "b.txt", "b");
    await rejectsWith(f.storage.putAcl("src", "b.txt", { canned: "everyone-everything" }), "InvalidArgument", 400);
    await rejectsWith(f.storage.putAcl("src", "missing.txt", { canned: "private" }), "NoSuchKey", 404);
    await rejectsWith(f.storage.getAcl("src", "missing.txt"), "NoSuchKey", 404);
    assert.deepEqual(await f.storage.getAcl("src", "b.txt"), { canned: "private" });
  });
});
