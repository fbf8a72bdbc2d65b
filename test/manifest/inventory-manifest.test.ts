/**
 * Reading inventory manifest.json files of the three vendors: columns found by name, MD5 in its forms.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { md5Hex, parseInventoryManifest } from "../../src/manifest/inventory-manifest.js";

describe("inventory manifest.json", () => {
  it("finds columns by name whatever the vendor's spelling", () => {
    const m = parseInventoryManifest(
      JSON.stringify({
        sourceBucket: "qcs::cos:ap-guangzhou::src-125",
        fileSchema: "AppId, Bucket(Appid), Key, Version_Id, Is Latest, IsDeleteMarker, Size",
        files: [{ key: "d/1.csv.gz", size: "12", MD5Checksum: "D41D8CD98F00B204E9800998ECF8427E" }],
      }),
    );
    assert.deepEqual(m.columns, { bucket: 1, key: 2, versionId: 3, isLatest: 4, isDeleteMarker: 5, count: 7 });
    assert.equal(m.sourceBucket, "src-125");
    assert.deepEqual(m.files, [{ key: "d/1.csv.gz", size: 12, md5: "d41d8cd98f00b204e9800998ecf8427e" }]);
  });

  it("accepts base64 MD5 and files without one; refuses an MD5 that is neither", () => {
    assert.equal(md5Hex("1B2M2Y8AsgTpgAmY7PhCfg=="), "d41d8cd98f00b204e9800998ecf8427e");
    const m = parseInventoryManifest(JSON.stringify({ fileSchema: "Bucket, Key", files: [{ key: "x" }] }));
    assert.equal(m.files[0].md5, undefined);
    assert.throws(
      () =>
        parseInventoryManifest(JSON.stringify({ fileSchema: "Bucket, Key", files: [{ key: "x", md5Checksum: "zz" }] })),
      { code: "InvalidInventoryManifest" },
    );
  });

  it("refuses what it cannot use", () => {
    const bad = (doc: unknown) => () => parseInventoryManifest(JSON.stringify(doc));
    assert.throws(bad([]), /not a JSON object/);
    assert.throws(bad({ fileSchema: "Key", files: [] }), /no Bucket column and there is no sourceBucket/);
    assert.throws(bad({ fileSchema: "Bucket, Key", files: [{}] }), /files\[0\] has no key/);
    assert.throws(bad({ fileFormat: "Parquet", fileSchema: "Bucket, Key", files: [] }), /only CSV/);
  });
});
