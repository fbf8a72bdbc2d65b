/**
 * Google's manifest CSV (GCS_BatchOperations_CSV, D45): its layout in parseChunk (names as they are, an optional
 * generation) and its header row cut off a stream, wherever the stream's buffers split it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GCS_MANIFEST_FIELDS } from "../../src/manifest/csv-layout.js";
import { parseChunk } from "../../src/manifest/csv-manifest.js";
import { withoutHeaderRow } from "../../src/manifest/header-row.js";

const GCS = "GCS_BatchOperations_CSV";

describe("parseChunk with Google's layout", () => {
  it("takes names as they are, quoted or not, and a generation as the version", () => {
    const rows = parseChunk(Buffer.from('p,b,a+b%20c,\np,b,"x,y",12\np,b,plain\n'), GCS_MANIFEST_FIELDS, 1, GCS);
    assert.deepEqual(
      rows.map((r) => r.task),
      [
        { bucket: "b", key: "a+b%20c" },
        { bucket: "b", key: "x,y", versionId: "12" },
        { bucket: "b", key: "plain" },
      ],
    );
    assert.ok(rows.every((r) => r.invalid === undefined));
  });

  it("still decodes S3's manifests and insists on their VersionId column", () => {
    const rows = parseChunk(Buffer.from("b,a+b%20c,\n"), ["Bucket", "Key", "VersionId"], 0);
    assert.equal(rows[0]!.task.key, "a b c");
    assert.equal(rows[0]!.invalid?.message, "Task failed due to missing VersionId");
  });

  it("fails rows with too few or too many columns, or without a bucket or a name, numbered from the line after the header", () => {
    const rows = parseChunk(Buffer.from("p,b\np,b,k,1,extra\np,,k\np,b,\n"), GCS_MANIFEST_FIELDS, 1, GCS);
    assert.deepEqual(
      rows.map((r) => r.invalid?.message),
      [
        "Manifest record 2: has 2 fields, expected 4",
        "Manifest record 3: has 5 fields, expected 4",
        "Manifest record 4: the Bucket field is empty",
        "Manifest record 5: the Key field is empty",
      ],
    );
  });
});

async function collect(parts: string[]) {
  let header = -1;
  const out: Buffer[] = [];
  for await (const b of withoutHeaderRow(
    (async function* () {
      yield* parts.map((p) => Buffer.from(p));
    })(),
    (n) => (header = n),
  )) {
    out.push(b);
  }
  return { header, rest: Buffer.concat(out).toString() };
}

describe("withoutHeaderRow", () => {
  it("drops the first line, a BOM with it, however the buffers split it", async () => {
    assert.deepEqual(await collect(["bucket,name\nb,k\n"]), { header: 12, rest: "b,k\n" });
    assert.deepEqual(await collect(["\uFEFFbuck", "et,na", "me\r", "\nb,k\nb,", "j\n"]), {
      header: 16,
      rest: "b,k\nb,j\n",
    });
    assert.deepEqual(await collect(["bucket,name\n"]), { header: 12, rest: "" });
  });

  it("leaves nothing of a manifest that is only a header without a line end", async () => {
    assert.deepEqual(await collect(["bucket,name"]), { header: 11, rest: "" });
    assert.deepEqual(await collect([]), { header: 0, rest: "" });
  });
});
