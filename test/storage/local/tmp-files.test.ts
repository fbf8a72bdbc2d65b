/**
 * The tmp/ directory of the local backend (tmp-files.ts): fresh names, bodies written with their ETag hashed on
 * the way, copies through an open descriptor that recreate a vanished tmp/, and stray files of crashed writers removed
 * once they are a day old.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { COPY_BUFFER_BYTES, TmpFiles } from "../../../src/storage/local/tmp-files.js";

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

  it("copies an open file through its descriptor, small or larger than the buffer, recreating a removed tmp/", async () => {
    const small = join(root, "small.bin");
    const large = join(root, "large.bin");
    writeFileSync(small, "through the descriptor");
    writeFileSync(large, Buffer.from(Array.from({ length: COPY_BUFFER_BYTES * 2 + 3 }, (_, i) => i % 251)));
    for (const source of [small, large]) {
      rmSync(dir, { recursive: true, force: true });
      const fd = openSync(source, "r");
      try {
        const from = { fd, size: statSync(source).size };
        const t = tmp.name();
        const st = await tmp.copyOpen(from, t, true);
        assert.deepEqual(readFileSync(t), readFileSync(source));
        assert.equal(Number(st?.size), from.size, "the new file's stat, for the ETag cache");
        const t2 = tmp.name();
        assert.equal(await tmp.copyOpen(from, t2, false), undefined);
        assert.deepEqual(readFileSync(t2), readFileSync(source));
        await assert.rejects(tmp.copyOpen(from, t, false), /EEXIST/, "never over an existing file");
      } finally {
        closeSync(fd);
      }
    }
  });

  it("copies the bytes of the file that was opened, even when its name is taken by another file meanwhile", async () => {
    const source = join(root, "swapped.txt");
    writeFileSync(source, "opened");
    const fd = openSync(source, "r");
    try {
      rmSync(source);
      writeFileSync(source, "planted later");
      const t = tmp.name();
      await tmp.copyOpen({ fd, size: 6 }, t, false);
      assert.equal(readFileSync(t, "utf8"), "opened");
    } finally {
      closeSync(fd);
    }
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
