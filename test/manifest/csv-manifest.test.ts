import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { ManifestField } from "../../src/domain/job.js";
import { decodeManifestKey, INVALID_MANIFEST_RECORD, parseChunk } from "../../src/manifest/csv-manifest.js";

const BK: readonly ManifestField[] = ["Bucket", "Key"];
const BKV: readonly ManifestField[] = ["Bucket", "Key", "VersionId"];

const parse = (text: string | Buffer, fields = BK, firstRecord = 0) =>
  parseChunk(typeof text === "string" ? Buffer.from(text) : text, fields, firstRecord);

describe("decodeManifestKey", () => {
  it("decodes form-style URL encoding", () => {
    assert.equal(decodeManifestKey("plain/key.txt"), "plain/key.txt");
    assert.equal(decodeManifestKey("object+key%20with+spaces"), "object key with spaces");
    assert.equal(decodeManifestKey("a%2Bb"), "a+b");
    assert.equal(decodeManifestKey("%E4%BD%A0%E5%A5%BD/%F0%9F%98%80"), "你好/😀");
    assert.equal(decodeManifestKey("%2f%2F"), "//");
    assert.equal(decodeManifestKey("raw-é"), "raw-é");
  });

  it("rejects malformed percent-encoding and non-UTF-8 bytes", () => {
    for (const bad of ["%", "%2", "%zz", "a%g1", "%E4%BD", "%FF", "%C0%AF", "%ED%A0%80"]) {
      assert.equal(decodeManifestKey(bad), undefined, bad);
    }
  });

  it("inverts encodeURIComponent with spaces as +", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 30 }), (key) => {
        assert.equal(decodeManifestKey(encodeURIComponent(key).replaceAll("%20", "+")), key);
        assert.equal(decodeManifestKey(encodeURIComponent(key)), key);
      }),
    );
  });
});

describe("parseChunk", () => {
  it("maps Bucket, Key and VersionId by the Fields order, skipping Ignore columns", () => {
    const rows = parse("x,k%201,b1,v1\ny,k2,b2,null\n", ["Ignore", "Key", "Bucket", "VersionId"]);
    assert.deepEqual(rows, [
      { task: { bucket: "b1", key: "k 1", versionId: "v1" } },
      { task: { bucket: "b2", key: "k2", versionId: "null" } },
    ]);
  });

  it("leaves versionId out when the manifest has no VersionId column", () => {
    const [row] = parse("b,k\n");
    assert.deepEqual(row, { task: { bucket: "b", key: "k" } });
    assert.equal("versionId" in row.task, false);
  });

  it("fails a row with an empty VersionId as AWS does", () => {
    const rows = parse("b,k1,v1\nb,k2,\n", BKV);
    assert.equal(rows[0].invalid, undefined);
    assert.deepEqual(rows[1].invalid, {
      status: "failed",
      httpStatus: 400,
      errorCode: "InvalidRequest",
      message: "Task failed due to missing VersionId",
    });
    assert.deepEqual(rows[1].task, { bucket: "b", key: "k2", versionId: "" });
  });

  it("reads quoted fields, CRLF and a missing final newline", () => {
    const rows = parse('"b","a%2Cb,c"\r\n"b","x""y"\r\nb,last', BK);
    assert.deepEqual(
      rows.map((r) => r.task.key),
      ["a,b,c", 'x"y', "last"],
    );
    assert.ok(rows.every((r) => !r.invalid));
  });

  it("skips blank and whitespace-only lines without counting them", () => {
    const rows = parse("\n  \nb,k1\r\n\t\r\n\nb,k2\n \n", BK, 10);
    assert.deepEqual(
      rows.map((r) => r.task.key),
      ["k1", "k2"],
    );
    // A record with whitespace and anything else is a record (and here a bad one).
    const [odd] = parse(" x \n", BK, 0);
    assert.equal(odd.invalid?.errorCode, INVALID_MANIFEST_RECORD);
  });

  it("turns bad rows into failed tasks that name the record", () => {
    const text = [
      "b,good",
      "b", // too few fields
      "b,k,extra", // too many
      ",k", // empty bucket
      "b,", // empty key
      "b,bad%zz", // bad encoding
      'b,"unclosed,x', // bad quoting ... swallows the rest as one record
    ].join("\n");
    const rows = parse(`${text}\n`, BK, 100);
    assert.equal(rows.length, 7);
    assert.equal(rows[0].invalid, undefined);
    const bad = rows.slice(1).map((r) => r.invalid);
    for (const r of bad) {
      assert.equal(r?.status, "failed");
      assert.equal(r?.httpStatus, 400);
      assert.equal(r?.errorCode, INVALID_MANIFEST_RECORD);
    }
    assert.deepEqual(
      bad.map((r) => r?.message),
      [
        "Manifest record 102: has 1 field, expected 2",
        "Manifest record 103: has 3 fields, expected 2",
        "Manifest record 104: the Bucket field is empty",
        "Manifest record 105: the Key field is empty",
        'Manifest record 106: the Key field "bad%zz" is not valid URL encoding of UTF-8',
        "Manifest record 107: is not valid CSV: Quote Not Closed: the parsing is finished with an opening quote at line 1",
      ],
    );
    assert.deepEqual(rows[5].task, { bucket: "b", key: "bad%zz" });
  });

  it("fails only the malformed quoted record when its neighbours are quoted too", () => {
    const rows = parse('"b","k1"\n"b","k"2"\nb,a"b\n"b",k3\n');
    assert.deepEqual(
      rows.map((r) => [r.task.key, r.invalid?.errorCode]),
      [
        ["k1", undefined],
        ["", INVALID_MANIFEST_RECORD],
        ["", INVALID_MANIFEST_RECORD],
        ["k3", undefined],
      ],
    );
    assert.match(rows[1].invalid?.message ?? "", /^Manifest record 2: is not valid CSV: Invalid Closing Quote/);
    assert.match(rows[2].invalid?.message ?? "", /^Manifest record 3: is not valid CSV: Invalid Opening Quote/);
  });

  it("fails a record that is not UTF-8, not its neighbours", () => {
    const bytes = Buffer.concat([Buffer.from("b,k1\nb,k"), Buffer.from([0xff, 0xfe]), Buffer.from("\nb,é\n")]);
    const rows = parse(bytes);
    assert.deepEqual(
      rows.map((r) => r.invalid?.message),
      [undefined, "Manifest record 2: is not valid UTF-8", undefined],
    );
    assert.equal(rows[2].task.key, "é");
  });

  it("fails every row when Fields lack a Key or Bucket", () => {
    const rows = parse("b,k\n", ["Bucket", "Ignore"]);
    assert.equal(rows[0].invalid?.errorCode, INVALID_MANIFEST_RECORD);
    assert.match(rows[0].invalid?.message ?? "", /must name a Bucket and a Key/);
  });

  it("strips a BOM only at the start of the manifest", () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("b,k\n")]);
    assert.equal(parse(withBom, BK, 0)[0].task.bucket, "b");
    assert.equal(parse(withBom, BK, 5)[0].task.bucket, "\uFEFFb");
  });

  it("parses a 1000-record chunk with quoted rows quickly enough to not matter", () => {
    const lines: string[] = [];
    for (let i = 0; i < 1000; i++)
      lines.push(i % 2 ? `"bucket","dir/key%20${i}","v${i}"` : `bucket,dir/key+${i},v${i}`);
    const bytes = Buffer.from(`${lines.join("\n")}\n`);
    const rows = parseChunk(bytes, BKV, 0);
    assert.equal(rows.length, 1000);
    assert.deepEqual(rows[999].task, { bucket: "bucket", key: "dir/key 999", versionId: "v999" });
  });
});
