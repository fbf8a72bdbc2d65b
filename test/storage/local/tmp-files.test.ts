/**
 * The tmp/ directory of the local backend (tmp-files.ts): fresh names, bodies written with their ETag hashed on
 * the way, copies that tell a vanished source from a vanished tmp/, and stray files of crashed writers removed
 * once they are a day old.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { TmpFiles } from "../../../src/storage/local/tmp-files.js";

const md5 = (s: string) => `"${createHash("md5").update(s).digest("hex")}"`;

describe("TmpFiles", () => {
  let root: string;
  let dir: string;
  let tmp: TmpFiles;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "objbatch-tmp-files-"));
    dir = join(root, "tmp");
    tmp = new TmpFiles(dir);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("hands out fresh names inside tmp/, marked with the process id", () => {
    const names = new Set(Array.from({ length: 100 }, () => tmp.name()));
    assert.equal(names.size, 100);
    for (const name of names) assert.ok(name.startsWith(`${dir}/${process.pid}-`), name);
    const other = new TmpFiles(dir);
    assert.ok(!names.has(other.name()), "another TmpFiles on the same directory never repeats a name");
  });

  it("writes a Buffer, a string or a stream and returns its quoted MD5, never over an existing file", async () => {
    mkdirSync(dir, { recursive: true });
    const a = tmp.name();
    assert.equal(await tmp.write(a, Buffer.from("bytes")), md5("bytes"));
    assert.equal(readFileSync(a, "utf8"), "bytes");
    const b = tmp.name();
    assert.equal(await tmp.write(b, "text"), md5("text"));
    const c = tmp.name();
    assert.equal(await tmp.write(c, Readable.from([Buffer.from("str"), "eam"])), md5("stream"));
    assert.equal(readFileSync(c, "utf8"), "stream");
    await assert.rejects(tmp.write(a, "again"), (e: NodeJS.ErrnoException) => e.code === "EEXIST");
  });

  it("copies a file, recreating a removed tmp/, and tells a vanished source apart", async () => {
    const source = join(root, "source.txt");
    writeFileSync(source, "copied");
    rmSync(dir, { recursive: true, force: true });
    const t = tmp.name();
    await tmp.copy(source, t, () => new Error("missing"));
    assert.equal(readFileSync(t, "utf8"), "copied");
    await assert.rejects(
      tmp.copy(join(root, "nope.txt"), tmp.name(), () => new Error("source gone")),
      /source gone/,
    );
  });

  it("removes files older than a day when opened, and keeps younger ones", () => {
    const now = Date.parse("2025-06-01T00:00:00Z");
    const stale = join(dir, "stale-1");
    const fresh = join(dir, "fresh-1");
    writeFileSync(stale, "s");
    writeFileSync(fresh, "f");
    utimesSync(stale, new Date(now - 25 * 3_600_000), new Date(now - 25 * 3_600_000));
    utimesSync(fresh, new Date(now - 23 * 3_600_000), new Date(now - 23 * 3_600_000));
    tmp.removeStale(now);
    assert.equal(existsSync(stale), false);
    assert.equal(existsSync(fresh), true);
    assert.ok(readdirSync(dir).includes("fresh-1"));
  });
});
