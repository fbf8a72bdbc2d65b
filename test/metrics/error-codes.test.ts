/**
 * The bounded error-code label (metrics/error-codes.ts): every code objbatch's storage layer makes (the error
 * model's factories, the local backend's errno translation, the S3 backend's codes for bodyless answers and
 * failed connections, the throttling codes) is a label of its own; any other code, such as one a server made up
 * or one with a key in it, is "other", in the label and in /metrics.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { failed } from "../../src/domain/task.js";
import { ERROR_CODE_VALUES, errorCodeLabel, KNOWN_ERROR_CODES } from "../../src/metrics/error-codes.js";
import { ObjbatchMetrics } from "../../src/metrics/registry.js";
import {
  accessDenied,
  internalError,
  invalidArgument,
  invalidKey,
  invalidObjectState,
  invalidRange,
  keyTooLong,
  noSuchBucket,
  noSuchKey,
  noSuchUpload,
  noSuchVersion,
  notImplemented,
  preconditionFailed,
  StorageError,
} from "../../src/storage/errors.js";
import { fromFsError } from "../../src/storage/local/errors.js";
import { toStorageError } from "../../src/storage/s3/errors.js";
import { THROTTLING_CODES } from "../../src/storage/throttling-codes.js";
import { parseMetrics, samples } from "../helpers/prometheus.js";

describe("the error_code label", () => {
  it("keeps every code the storage layer makes", () => {
    const made: StorageError[] = [
      noSuchBucket("b"),
      noSuchKey("b", "k"),
      noSuchVersion("b", "k", "v"),
      noSuchUpload("b", "k", "u"),
      accessDenied("b", "k", "why"),
      invalidArgument("m"),
      invalidKey("b", "k", "why"),
      keyTooLong("b", "k", "why"),
      invalidObjectState("b", "k", "why"),
      preconditionFailed("b", "k", "why"),
      invalidRange({ start: 1, end: 2 }),
      notImplemented("m"),
      internalError("m"),
      ...["ENOENT", "ELOOP", "EACCES", "ENAMETOOLONG", "ENOTDIR", "ENOSPC", "EMFILE", "EIO"].map((code) =>
        fromFsError(Object.assign(new Error(code), { code }), "b", "k"),
      ),
      ...[400, 403, 404, 405, 409, 412, 416, 429, 500, 501, 503].map(
        (status) =>
          toStorageError({ name: "Unknown", $metadata: { httpStatusCode: status } }, "b", "k") as StorageError,
      ),
      toStorageError(Object.assign(new Error("reset"), { code: "ECONNRESET" }), "b", "k") as StorageError,
      toStorageError(Object.assign(new Error("slow"), { name: "TimeoutError" }), "b", "k") as StorageError,
    ];
    for (const e of made) {
      assert.ok(e instanceof StorageError, String(e));
      assert.equal(errorCodeLabel(e.code), e.code, `${e.code} is known`);
    }
    for (const code of THROTTLING_CODES) assert.equal(errorCodeLabel(code), code);
  });

  it("makes any other code 'other', and lists each value once", () => {
    for (const code of ["", "MadeUpByServer", "NoSuchKey photos/2024/a.jpg", "nosuchkey", "other-bucket/theirs-0"]) {
      assert.equal(errorCodeLabel(code), "other", code);
    }
    assert.equal(new Set(ERROR_CODE_VALUES).size, ERROR_CODE_VALUES.length);
    assert.equal(ERROR_CODE_VALUES.at(-1), "other");
    for (const code of KNOWN_ERROR_CODES) assert.match(code, /^[A-Za-z0-9]+$/);
  });

  it('shows a task\'s unknown code as error_code="other" in /metrics', async () => {
    const metrics = new ObjbatchMetrics();
    const cell = metrics.tasks.operationCell("PutObjectTagging");
    metrics.tasks.finished(cell, failed(400, "SomethingNew", "the server said so"));
    metrics.tasks.finished(cell, failed(404, "NoSuchKey", "gone"));
    const shown = samples(await parseMetrics(await metrics.text()), "objbatch_tasks_total");
    assert.deepEqual(shown.map((s) => [s.labels.error_code, s.value]).sort(), [
      ["NoSuchKey", 1],
      ["other", 1],
    ]);
  });
});
