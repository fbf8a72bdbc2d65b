/**
 * Containment on disk (bucket-folders.ts, object-files.ts): a key never leads outside its bucket's directory,
 * whatever was put into the data directory by hand. Symlinks are never followed, neither as the object nor as a
 * folder on its path nor as the bucket; a file cannot also be a folder. Verified folders are remembered for a
 * few seconds, and a symlink swapped in by hand is noticed once that memory expires.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BucketFolders, FOLDER_TTL_MS } from "../../../src/storage/local/bucket-folders.js";
import { parseKey } from "../../../src/storage/local/keys.js";
import { type Fixture, fixture, rejectsWith, text } from "./helpers.js";

describe("LocalStorage containment on disk", () => {
  let f: Fixture;
  let outside: string;
  before(async () => {
    f = await fixture(["src", "dst", "other"]);
    outside = join(f.dataDir, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "secret.txt"), "top secret");
    await f.storage.put("other", "x", "other bucket's object");
  });
  after(() => f.cleanup());

  it("never follows a symlink inside the bucket that points outside", async () => {
    symlinkSync(join(outside, "secret.txt"), f.file("src", "link.txt"));
    await rejectsWith(f.storage.get("src", "link.txt"), "AccessDenied", 403);
    await rejectsWith(f.storage.head("src", "link.txt"), "AccessDenied", 403);
    await rejectsWith(
      f.storage.copy({ bucket: "src", key: "link.txt" }, { bucket: "dst", key: "stolen.txt" }),
      "AccessDenied",
      403,
    );
    await rejectsWith(f.storage.put("src", "link.txt", "overwrite"), "AccessDenied", 403);
    await rejectsWith(f.storage.delete("src", "link.txt"), "AccessDenied", 403);
    await rejectsWith(f.storage.putTagging("src", "link.txt", []), "AccessDenied", 403);
    assert.equal(readFileSync(join(outside, "secret.txt"), "utf8"), "top secret");
    assert.equal(existsSync(f.file("dst", "stolen.txt")), false);
  });

  it("never passes through a symlinked directory", async () => {
    symlinkSync(outside, f.file("src", "linkdir"));
    await rejectsWith(f.storage.get("src", "linkdir/secret.txt"), "AccessDenied", 403);
    await rejectsWith(f.storage.head("src", "linkdir/secret.txt"), "AccessDenied", 403);
    const e = await rejectsWith(f.storage.put("src", "linkdir/planted.txt", "x"), "AccessDenied", 403);
    assert.match(e.message, /symbolic link/);
    await rejectsWith(
      f.storage.copy({ bucket: "other", key: "x" }, { bucket: "src", key: "linkdir/planted.txt" }),
      "AccessDenied",
      403,
    );
    await rejectsWith(f.storage.delete("src", "linkdir/secret.txt"), "AccessDenied", 403);
    assert.equal(existsSync(join(outside, "planted.txt")), false);
    assert.equal(existsSync(join(outside, "secret.txt")), true);
  });

  it("refuses a bucket directory that is a symlink", async () => {
    symlinkSync(outside, join(f.dataDir, "buckets", "linked"));
    assert.equal(await f.storage.bucketExists("linked"), false);
    await rejectsWith(f.storage.get("linked", "secret.txt"), "AccessDenied", 403);
    await rejectsWith(f.storage.put("linked", "x.txt", "x"), "AccessDenied", 403);
  });

  it("works when the data directory's own path goes through a symlink", async () => {
    const alias = `${f.dataDir}-alias`;
    symlinkSync(f.dataDir, alias);
    const viaAlias = f.reopen({ dataDir: alias });
    await viaAlias.put("src", "via/alias.txt", "ok");
    assert.equal(await text(viaAlias.get("src", "via/alias.txt")), "ok");
    assert.equal(readFileSync(f.file("src", "via/alias.txt"), "utf8"), "ok");
    const { rmSync } = await import("node:fs");
    rmSync(alias);
  });
});

describe("LocalStorage files and folders", () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(() => f.cleanup());

  it("refuses a key below an existing object (ENOTDIR) with 400 InvalidArgument", async () => {
    await f.storage.put("src", "file", "I am a file");
    const e = await rejectsWith(f.storage.put("src", "file/child", "x"), "InvalidArgument", 400);
    assert.match(e.message, /existing object/);
    await rejectsWith(
      f.storage.copy({ bucket: "src", key: "file" }, { bucket: "src", key: "file/child" }),
      "InvalidArgument",
      400,
    );
    // Reading below a file is simply not found.
    await rejectsWith(f.storage.head("src", "file/child"), "NoSuchKey", 404);
    assert.equal(await text(f.storage.get("src", "file")), "I am a file");
  });

  it("refuses a key naming an existing folder with 400 InvalidArgument", async () => {
    await f.storage.put("src", "dir/inner.txt", "inner");
    const e = await rejectsWith(f.storage.put("src", "dir", "x"), "InvalidArgument", 400);
    assert.match(e.message, /folder/);
    await f.storage.put("dst", "plain", "p");
    await rejectsWith(
      f.storage.copy({ bucket: "dst", key: "plain" }, { bucket: "src", key: "dir" }),
      "InvalidArgument",
      400,
    );
    assert.equal(await text(f.storage.get("src", "dir/inner.txt")), "inner");
  });
});

describe("BucketFolders", () => {
  let f: Fixture;
  let clock: number;
  let folders: BucketFolders;
  before(async () => {
    f = await fixture(["b"]);
    clock = 1_000_000;
    folders = new BucketFolders(realpathSync(join(f.dataDir, "buckets")), () => clock);
  });
  after(() => f.cleanup());

  it("creates the folders a write needs, and finds none for a read", async () => {
    const k = parseKey("b", "x/y/z.txt");
    await rejectsWith(folders.ensure(k, false), "NoSuchKey", 404);
    assert.equal(folders.isKnown(k), false);
    await folders.ensure(k, true);
    assert.equal(existsSync(join(f.dataDir, "buckets", "b", "x", "y")), true);
    assert.equal(folders.isKnown(k), true);
    await rejectsWith(folders.verifyBucket("missing"), "NoSuchBucket", 404);
  });

  it("trusts a verified folder for FOLDER_TTL_MS, then checks it on disk again", async () => {
    const k = parseKey("b", "swap/file.txt");
    await folders.ensure(k, true);
    const dir = join(f.dataDir, "buckets", "b", "swap");
    rmSync(dir, { recursive: true });
    symlinkSync(join(f.dataDir, "outside-swap"), dir);
    await folders.ensure(k, true);
    assert.equal(folders.isKnown(k), true, "within the window the memory answers");
    clock += FOLDER_TTL_MS + 1;
    assert.equal(folders.isKnown(k), false);
    const e = await rejectsWith(folders.ensure(k, true), "AccessDenied", 403);
    assert.match(e.message, /symbolic link "swap"/);
    rmSync(dir);
  });

  it("forgets a key's folders on request, so the next check goes to disk", async () => {
    const k = parseKey("b", "forget/me.txt");
    await folders.ensure(k, true);
    folders.forget(k);
    assert.equal(folders.isKnown(k), false);
    rmSync(join(f.dataDir, "buckets", "b", "forget"), { recursive: true });
    await rejectsWith(folders.ensure(k, false), "NoSuchKey", 404);
  });

  it("lets a write replace a file only, and prunes folders a delete leaves empty", async () => {
    const k = parseKey("b", "p/q/r.txt");
    await folders.ensure(k, true);
    await folders.checkTargetSlot(k);
    mkdirSync(folders.objectPath(k));
    await rejectsWith(folders.checkTargetSlot(k), "InvalidArgument", 400);
    rmSync(folders.objectPath(k), { recursive: true });
    writeFileSync(join(f.dataDir, "buckets", "b", "p", "keep.txt"), "stays");
    await folders.pruneEmpty(k);
    assert.equal(existsSync(join(f.dataDir, "buckets", "b", "p", "q")), false, "q was empty");
    assert.equal(readFileSync(join(f.dataDir, "buckets", "b", "p", "keep.txt"), "utf8"), "stays");
  });

  it("prunes the folders a turn's deletes emptied in one pass, parents after all their emptied children", async () => {
    const keys = ["s/x/1.txt", "s/x/2.txt", "s/y/1.txt", "s/y/z/1.txt", "t/keep/1.txt", "t/gone/1.txt"].map((key) =>
      parseKey("b", key),
    );
    for (const k of keys) {
      await folders.ensure(k, true);
      writeFileSync(folders.objectPath(k), "x");
    }
    const deleted = keys.filter((k) => k.key !== "t/keep/1.txt");
    for (const k of deleted) rmSync(folders.objectPath(k));
    const passes = deleted.map((k) => folders.pruneEmpty(k));
    assert.equal(new Set(passes).size, 1, "one pass for the turn's deletes");
    await Promise.all(passes);
    const bucket = join(f.dataDir, "buckets", "b");
    assert.equal(existsSync(join(bucket, "s")), false, "s lost x, y and y/z in the same turn");
    assert.equal(existsSync(join(bucket, "t", "gone")), false);
    assert.equal(readFileSync(join(bucket, "t", "keep", "1.txt"), "utf8"), "x", "t still holds an object");
    assert.equal(folders.isKnown(parseKey("b", "s/x/1.txt")), false, "a removed folder is checked again on use");
    await folders.pruneEmpty(parseKey("b", "top-level.txt"));
    assert.ok(existsSync(bucket), "the bucket itself is never pruned");
  });
});
