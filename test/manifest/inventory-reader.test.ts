/**
 * manifest/inventory-reader.ts on the real local backend: an inventory's data files are streamed in the order
 * its manifest.json lists them, each record a task (keys decoded, versions kept, delete markers skipped, a bad
 * record a failing task), and a data file that is not what manifest.json says fails the job.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import type { InlineTask } from "../../src/manifest/inline-tasks.js";
import { parseInventoryManifest } from "../../src/manifest/inventory-manifest.js";
import { readInventoryTasks } from "../../src/manifest/inventory-reader.js";
import { LocalStorage } from "../../src/storage/local/local-storage.js";

describe("readInventoryTasks", () => {
  let dir: string;
  let storage: LocalStorage;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "objbatch-inventory-reader-"));
    await mkdir(join(dir, "buckets", "inv", "data"), { recursive: true });
    storage = new LocalStorage({ dataDir: dir });
  });
  after(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Stores `files` (name -> CSV text, gzipped when the name ends in .gz) and a manifest.json listing them. */
  async function inventory(files: Record<string, string>, schema: string, md5s: Record<string, string> = {}) {
    const listed = [];
    for (const [name, csv] of Object.entries(files)) {
      const bytes = name.endsWith(".gz") ? gzipSync(csv) : Buffer.from(csv);
      await writeFile(join(dir, "buckets", "inv", "data", name), bytes);
      const md5 = md5s[name] ?? createHash("md5").update(bytes).digest("hex");
      listed.push({ key: `data/${name}`, size: bytes.length, MD5checksum: md5 });
    }
    return parseInventoryManifest(
      JSON.stringify({ sourceBucket: "src", fileFormat: "CSV", fileSchema: schema, files: listed }),
    );
  }

  async function tasksOf(manifest: ReturnType<typeof parseInventoryManifest>) {
    const tasks: InlineTask[] = [];
    await readInventoryTasks(storage, "inv", manifest, (task) => {
      tasks.push(task);
    });
    return tasks;
  }

  it("reads every data file in order, one task a record", async () => {
    const manifest = await inventory(
      {
        "a.csv.gz": '"src","photos/a%20b.jpg","v1","true","false"\n"src","old.txt","","false","false"\n',
        "b.csv.gz": '"src","gone.txt","v2","true","true"\n"src","%E5%8F%96.txt","","true","false"\n',
      },
      "Bucket, Key, VersionId, IsLatest, IsDeleteMarker",
    );
    assert.deepEqual(await tasksOf(manifest), [
      ["src", "photos/a b.jpg", "v1"],
      ["src", "old.txt", "null"],
      ["src", "取.txt"],
    ]);
  });

  it("takes the bucket from sourceBucket when the schema has none, and reads plain CSV too", async () => {
    const manifest = await inventory({ "plain.csv": "k1\nk2\n" }, "Key");
    assert.deepEqual(await tasksOf(manifest), [
      ["src", "k1"],
      ["src", "k2"],
    ]);
  });

  it("makes a bad record a task that fails, not the job", async () => {
    const manifest = await inventory({ "bad.csv.gz": '"src","%E5%8F"\n"src","fine"\n' }, "Bucket, Key");
    const [bad, fine] = await tasksOf(manifest);
    assert.equal(bad.length > 3, true, "an invalid task carries its error");
    assert.deepEqual(fine, ["src", "fine"]);
  });

  it("fails on a data file whose MD5 is not the one manifest.json lists, or that is not gzip", async () => {
    const mismatch = await inventory({ "m.csv.gz": '"src","k"\n' }, "Bucket, Key", {
      "m.csv.gz": "0123456789abcdef0123456789abcdef",
    });
    await assert.rejects(tasksOf(mismatch), { name: "ManifestError", code: "InventoryChecksumMismatch" });
    await writeFile(join(dir, "buckets", "inv", "data", "not-gzip.csv.gz"), "plain text");
    const notGzip = parseInventoryManifest(
      JSON.stringify({ sourceBucket: "src", fileSchema: "Bucket, Key", files: [{ key: "data/not-gzip.csv.gz" }] }),
    );
    await assert.rejects(tasksOf(notGzip), { name: "ManifestError", code: "InvalidInventoryManifest" });
  });
});
