import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import fc from "fast-check";
import { failed, succeeded } from "../../src/domain/task.js";
import { csvField, encodeReportKey, formatRow, formatRows, ReportRows } from "../../src/report/report-row.js";

describe("encodeReportKey", () => {
  it("percent-encodes like encodeURIComponent but keeps slashes", () => {
    assert.equal(encodeReportKey("dir/sub dir/a+b é.txt"), "dir/sub%20dir/a%2Bb%20%C3%A9.txt");
    assert.equal(encodeReportKey('a,b"c\nd%'), "a%2Cb%22c%0Ad%25");
    assert.equal(encodeReportKey("😀"), "%F0%9F%98%80");
  });

  it("does not throw on a lone surrogate", () => {
    assert.equal(encodeReportKey("a\uD800b"), "a%EF%BF%BDb");
  });

  it("round-trips through decodeURIComponent", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (key) => {
        assert.equal(decodeURIComponent(encodeReportKey(key)), key);
      }),
    );
  });
});

describe("formatRow", () => {
  it("writes Bucket, Key, VersionId, TaskStatus, HTTPStatusCode, ErrorCode, ResultMessage", () => {
    assert.equal(
      formatRow(
        { bucket: "bucket", key: "prefix/file", versionId: "" },
        failed(400, "InvalidRequest", "Task failed due to missing VersionId"),
      ),
      "bucket,prefix/file,,failed,400,InvalidRequest,Task failed due to missing VersionId\n",
    );
    assert.equal(formatRow({ bucket: "b", key: "my key" }, succeeded()), "b,my%20key,,succeeded,200,,Successful\n");
    assert.equal(
      formatRow(
        { bucket: "b", key: "k", versionId: "null" },
        failed(200, "PermanentFailure", 'Lambda said "no", twice'),
      ),
      'b,k,null,failed,200,PermanentFailure,"Lambda said ""no"", twice"\n',
    );
  });

  it("quotes exactly as csv-stringify does and parses back", () => {
    const text = fc.string({
      unit: fc.constantFrom("a", " ", ",", '"', "\n", "\r", "é", "/", "+", "%"),
      maxLength: 12,
    });
    fc.assert(
      fc.property(
        text,
        text,
        fc.option(text, { nil: undefined }),
        text,
        text,
        fc.boolean(),
        (bucket, key, versionId, code, message, ok) => {
          const task = versionId === undefined ? { bucket, key } : { bucket, key, versionId };
          const result = ok ? succeeded(message) : failed(503, code, message);
          const row = formatRow(task, result);
          const cells = [
            bucket,
            encodeReportKey(key),
            versionId ?? "",
            result.status,
            String(result.httpStatus),
            result.errorCode,
            result.message,
          ];
          assert.equal(row, stringify([cells]));
          assert.deepEqual(parse(row, { relax_column_count: false }), [cells]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("csvField leaves plain values alone", () => {
    assert.equal(csvField("NoSuchKey"), "NoSuchKey");
    assert.equal(csvField(""), "");
    assert.equal(csvField(" spaced "), " spaced ");
    assert.equal(csvField("a\rb"), '"a\rb"');
  });
});

describe("formatRows", () => {
  it("concatenates rows in order", () => {
    const rows = [
      { task: { bucket: "b", key: "k1" }, result: succeeded() },
      { task: { bucket: "b", key: "k2" }, result: failed(404, "NoSuchKey", "The specified key does not exist.") },
    ];
    assert.equal(
      formatRows(rows),
      "b,k1,,succeeded,200,,Successful\nb,k2,,failed,404,NoSuchKey,The specified key does not exist.\n",
    );
    assert.equal(formatRows([]), "");
  });
});

describe("ReportRows", () => {
  it("builds exactly the rows formatRow makes, whether buckets and results repeat, change or come back", () => {
    const ok = succeeded();
    const copied = succeeded("Successful", 204);
    const missing = failed(404, "NoSuchKey", 'no "such", key\nhere');
    const entries = [
      { task: { bucket: "b", key: "k1" }, result: ok },
      { task: { bucket: "b", key: "k 2", versionId: "v,1" }, result: ok },
      { task: { bucket: "b", key: "k3" }, result: missing },
      { task: { bucket: "other,bucket", key: "k4" }, result: missing },
      { task: { bucket: "other,bucket", key: "dir/ü 5" }, result: copied },
      { task: { bucket: "b", key: "k6", versionId: "null" }, result: ok },
      // An equal result that is another object is encoded anew, to the same text.
      { task: { bucket: "b", key: "k7" }, result: failed(404, "NoSuchKey", 'no "such", key\nhere') },
      { task: { bucket: "b", key: "k8" }, result: { ...ok } },
    ];
    const rows = new ReportRows();
    for (const { task, result } of entries) rows.add(task, result);
    assert.equal(rows.count, entries.length);
    assert.equal(rows.text, entries.map(({ task, result }) => formatRow(task, result)).join(""));
    assert.equal(formatRows(entries), rows.text);
  });

  it("starts empty", () => {
    const rows = new ReportRows();
    assert.deepEqual([rows.count, rows.text], [0, ""]);
  });
});
