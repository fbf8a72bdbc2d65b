/**
 * Folder listings (folder-listings.ts): a folder that deletes or copies keep coming to is listed once; its files
 * are deleted, and its free or file slots written by copies, without an lstat each. Through LocalStorage: a bulk
 * delete still refuses symlinks and held objects and leaves folders alone, whatever was listed, and a bulk copy
 * still refuses to write over a symlink or a folder; and FolderListings alone: when it lists, what it remembers,
 * for how long, and which folders it does not list.
 */
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FOLDER_TTL_MS } from "../../../src/storage/local/bucket-folders.js";
import { FolderListings, LIST_AFTER } from "../../../src/storage/local/folder-listings.js";
import { parseKey } from "../../../src/storage/local/keys.js";
import { type Fixture, fixture, rejectsWith } from "./helpers.js";

describe("a bulk delete through a listed folder", () => {
  let f: Fixture;
  let outside: string;
  before(async () => {
    f = await fixture(["src"]);
    outside = mkdtempSync(join(tmpdir(), "objbatch-outside-"));
  });
  after(async () => {
    await f.cleanup();
    rmSync(outside, { recursive: true, force: true });
  });

  it("deletes every file, and still refuses symlinks and held objects and leaves folders alone", async () => {
    const keys = Array.from({ length: LIST_AFTER * 3 }, (_, i) => `bulk/${i}.bin`);
    for (const key of keys) await f.drop("src", key, key);
    writeFileSync(join(outside, "secret"), "keep me");
    symlinkSync(join(outside, "secret"), f.file("src", "bulk/link"));
    mkdirSync(f.file("src", "bulk/folder"));
    await f.storage.put("src", "bulk/held.bin", "held");
    await f.storage.putLegalHold("src", "bulk/held.bin", "ON");

    // All at once, as a chunk's tasks come: the folder is listed while they are in flight.
    const results = await Promise.allSettled(
      [...keys, "bulk/link", "bulk/folder", "bulk/held.bin", "bulk/never.bin"].map((key) =>
        f.storage.delete("src", key),
      ),
    );
    const refused = results.flatMap((r, i) =>
      r.status === "rejected" ? [[i >= keys.length ? i - keys.length : i, (r.reason as { code: string }).code]] : [],
    );
    assert.deepEqual(refused, [
      [0, "AccessDenied"], // the symlink
      [2, "AccessDenied"], // the held object
    ]);
    for (const key of keys) assert.equal(existsSync(f.file("src", key)), false, key);
    assert.equal(readFileSync(join(outside, "secret"), "utf8"), "keep me");
    assert.ok(existsSync(f.file("src", "bulk/link")), "the symlink is still there");
    assert.ok(existsSync(f.file("src", "bulk/folder")), "the folder is still there");
    assert.ok(existsSync(f.file("src", "bulk/held.bin")));

    // The folder is listed now: later deletes into it meet what changed since.
    await f.drop("src", "bulk/new.bin", "dropped after the listing");
    await f.storage.delete("src", "bulk/new.bin");
    assert.equal(existsSync(f.file("src", "bulk/new.bin")), false, "a file the listing did not see is deleted");
    await rejectsWith(f.storage.delete("src", "bulk/link"), "AccessDenied", 403);
    await rejectsWith(f.storage.delete("src", "bulk/held.bin"), "AccessDenied", 403);
  });

  it("removes a listed folder once its last file is deleted, and its parents that it leaves empty", async () => {
    const keys = Array.from({ length: LIST_AFTER * 3 }, (_, i) => `gone/sub/${i}.bin`);
    for (const key of keys) await f.drop("src", key, key);
    await f.drop("src", "gone/keep.bin", "stays until deleted");
    // Deletes in flight together and one at a time: the folder is listed early, and tried only at the end.
    await Promise.all(keys.slice(0, LIST_AFTER * 2).map((key) => f.storage.delete("src", key)));
    for (const key of keys.slice(LIST_AFTER * 2)) {
      assert.ok(existsSync(f.file("src", "gone/sub")), "not empty yet");
      await f.storage.delete("src", key);
    }
    assert.equal(existsSync(f.file("src", "gone/sub")), false, "emptied: removed");
    assert.ok(existsSync(f.file("src", "gone")), "its parent still holds a file");
    await f.storage.delete("src", "gone/keep.bin");
    assert.equal(existsSync(f.file("src", "gone")), false);
  });

  it("treats a listed file replaced by a folder as nothing to delete, and one deleted meanwhile as gone", async () => {
    const keys = Array.from({ length: LIST_AFTER + 3 }, (_, i) => `swap/${i}.bin`);
    for (const key of keys) await f.drop("src", key, key);
    // The first LIST_AFTER deletes get the folder listed (every file in it, the last two included).
    await Promise.all(keys.slice(0, LIST_AFTER).map((key) => f.storage.delete("src", key)));
    rmSync(f.file("src", keys[LIST_AFTER]));
    mkdirSync(f.file("src", keys[LIST_AFTER]));
    writeFileSync(f.file("src", `${keys[LIST_AFTER]}/inside`), "x");
    rmSync(f.file("src", keys[LIST_AFTER + 1]));
    await f.storage.delete("src", keys[LIST_AFTER]);
    await f.storage.delete("src", keys[LIST_AFTER + 1]);
    assert.equal(readFileSync(f.file("src", `${keys[LIST_AFTER]}/inside`), "utf8"), "x");
    // Within the listing's TTL a file swapped by hand for a symlink is deleted as the file it was listed as: the
    // link goes, and what it points to outside the bucket is never touched (unlink does not follow it).
    writeFileSync(join(outside, "target"), "outside");
    rmSync(f.file("src", keys[LIST_AFTER + 2]));
    symlinkSync(join(outside, "target"), f.file("src", keys[LIST_AFTER + 2]));
    await f.storage.delete("src", keys[LIST_AFTER + 2]);
    assert.equal(existsSync(f.file("src", keys[LIST_AFTER + 2])), false);
    assert.equal(readFileSync(join(outside, "target"), "utf8"), "outside");
  });
});

describe("a bulk copy into a listed folder", () => {
  let f: Fixture;
  let outside: string;
  before(async () => {
    f = await fixture(["src", "dst"]);
    outside = mkdtempSync(join(tmpdir(), "objbatch-outside-"));
  });
  after(async () => {
    await f.cleanup();
    rmSync(outside, { recursive: true, force: true });
  });

  it("writes every copy, and still refuses to write over a symlink or a folder, listed or made since", async () => {
    const keys = Array.from({ length: LIST_AFTER * 3 }, (_, i) => `bulk/${i}.bin`);
    for (const key of keys) await f.drop("src", key, `new ${key}`);
    for (const key of ["bulk/link", "bulk/folder", "bulk/late-link", "bulk/late-folder", "bulk/old.bin"]) {
      await f.drop("src", key, `new ${key}`);
    }
    writeFileSync(join(outside, "secret"), "keep me");
    await f.drop("dst", "bulk/old.bin", "old");
    symlinkSync(join(outside, "secret"), f.file("dst", "bulk/link"));
    mkdirSync(f.file("dst", "bulk/folder"));

    // All at once, as a chunk's tasks come: the target folder is listed while they are in flight.
    const copy = (key: string) => f.storage.copy({ bucket: "src", key }, { bucket: "dst", key });
    const results = await Promise.allSettled([...keys, "bulk/old.bin", "bulk/link", "bulk/folder"].map(copy));
    const refused = results.flatMap((r, i) =>
      r.status === "rejected" ? [[i, (r.reason as { code: string }).code]] : [],
    );
    assert.deepEqual(refused, [
      [keys.length + 1, "AccessDenied"], // the symlink
      [keys.length + 2, "InvalidArgument"], // the folder
    ]);
    for (const key of [...keys, "bulk/old.bin"]) assert.equal(readFileSync(f.file("dst", key), "utf8"), `new ${key}`);
    assert.equal(readFileSync(join(outside, "secret"), "utf8"), "keep me");

    // The folder is listed now. A folder made since at a name the listing saw free is refused as the lstat would
    // have refused it; the listing's TTL leaves one thing open: a symlink dropped by hand since at such a name is
    // replaced by the copy (rename never follows it), and what it pointed to is never touched.
    mkdirSync(f.file("dst", "bulk/late-folder"));
    await rejectsWith(copy("bulk/late-folder"), "InvalidArgument", 400);
    assert.ok(existsSync(f.file("dst", "bulk/late-folder")), "the folder is still there");
    symlinkSync(join(outside, "secret"), f.file("dst", "bulk/late-link"));
    await copy("bulk/late-link");
    assert.equal(readFileSync(f.file("dst", "bulk/late-link"), "utf8"), "new bulk/late-link");
    assert.equal(readFileSync(join(outside, "secret"), "utf8"), "keep me");
    // What the listing saw as a symlink is still refused.
    await rejectsWith(copy("bulk/link"), "AccessDenied", 403);
    assert.equal(readdirSync(f.dataDir + "/tmp").length, 0, "no tmp file left behind");
  });
});

describe("FolderListings", () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "objbatch-listings-"));
    mkdirSync(join(root, "b", "dir"), { recursive: true });
    for (let i = 0; i < 5; i++) writeFileSync(join(root, "b", "dir", `${i}.bin`), "x");
    writeFileSync(join(root, "b", "top.bin"), "x");
    mkdirSync(join(root, "b", "dir", "sub"));
    symlinkSync(join(root, "b", "dir", "0.bin"), join(root, "b", "dir", "link"));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const key = (k: string) => parseKey("b", k);
  /** Asks about `k` until its folder is listed (LIST_AFTER asks). */
  const warm = (listings: FolderListings, k: string) => {
    for (let i = 0; i < LIST_AFTER; i++) assert.equal(listings.isListedFile(key(k)), false);
  };

  it("lists a folder after LIST_AFTER asks, and then knows its files, not its symlinks, folders or newcomers", () => {
    const listings = new FolderListings(root);
    warm(listings, "dir/0.bin");
    assert.equal(listings.isListedFile(key("dir/0.bin")), true);
    assert.equal(listings.isListedFile(key("dir/4.bin")), true);
    assert.equal(listings.isListedFile(key("dir/link")), false);
    assert.equal(listings.isListedFile(key("dir/sub")), false);
    writeFileSync(join(root, "b", "dir", "later.bin"), "x");
    assert.equal(listings.isListedFile(key("dir/later.bin")), false, "not in the listing");
    listings.forget(key("dir/0.bin"));
    assert.equal(listings.isListedFile(key("dir/0.bin")), false, "forgotten once deleted");
    warm(listings, "top.bin");
    assert.equal(listings.isListedFile(key("top.bin")), true, "a bucket's top level is a folder too");
  });

  it("knows a slot that held a file or nothing as free to write, not one that held a symlink or a folder", () => {
    const listings = new FolderListings(root);
    for (let i = 0; i < LIST_AFTER; i++) assert.equal(listings.isFreeSlot(key("dir/0.bin")), false);
    assert.equal(listings.isFreeSlot(key("dir/0.bin")), true, "a file");
    assert.equal(listings.isFreeSlot(key("dir/none.bin")), true, "nothing");
    assert.equal(listings.isFreeSlot(key("dir/link")), false, "a symlink");
    assert.equal(listings.isFreeSlot(key("dir/sub")), false, "a folder");
    assert.equal(listings.isFreeSlot(key("dir/\uFFFD")), false, "a name that could be spelled otherwise on disk");
    assert.equal(listings.isListedFile(key("dir/none.bin")), false, "free to write, but no file to delete");
  });

  it("knows whether a listed folder still holds entries", () => {
    const listings = new FolderListings(root);
    assert.equal(listings.holdsEntries(key("dir/0.bin")), false, "not listed: no answer");
    warm(listings, "dir/0.bin");
    assert.equal(listings.holdsEntries(key("dir/0.bin")), true);
    for (let i = 0; i < 5; i++) listings.forget(key(`dir/${i}.bin`));
    assert.equal(listings.holdsEntries(key("dir/0.bin")), true, "its symlink and subfolder are still there");
  });

  it("lists again once the TTL has passed", () => {
    let now = 0;
    const listings = new FolderListings(root, () => now);
    warm(listings, "dir/1.bin");
    assert.equal(listings.isListedFile(key("dir/1.bin")), true);
    now += FOLDER_TTL_MS;
    assert.equal(listings.isListedFile(key("dir/1.bin")), false, "expired: counted anew");
    for (let i = 1; i < LIST_AFTER; i++) assert.equal(listings.isListedFile(key("dir/1.bin")), false);
    assert.equal(listings.isListedFile(key("dir/1.bin")), true);
  });

  it("does not list a folder with more entries than it reads, nor one that is gone, until the TTL has passed", () => {
    let now = 0;
    const small = new FolderListings(root, () => now, 3);
    warm(small, "dir/1.bin");
    for (let i = 0; i < 3 * LIST_AFTER; i++) assert.equal(small.isListedFile(key("dir/1.bin")), false);
    const gone = new FolderListings(root, () => now);
    warm(gone, "missing/1.bin");
    assert.equal(gone.isListedFile(key("missing/1.bin")), false);
    now += FOLDER_TTL_MS;
    const listings = new FolderListings(root, () => now, 100);
    warm(listings, "dir/1.bin");
    assert.equal(listings.isListedFile(key("dir/1.bin")), true);
  });
});
