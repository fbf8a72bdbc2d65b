/**
 * The job id of a path like `/jobs/:jobId` (src/api/http/path-job-id.ts): an empty or missing one is a bad request
 * in the dialect's own words; one longer than 64 bytes cannot exist and is NoSuchJob (its message clipped); any
 * other is passed on as it is, an opaque id for the store to look up.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jobIdFromPath, MAX_JOB_ID_BYTES } from "../../../src/api/http/path-job-id.js";
import { invalidArgument, invalidRequest } from "../../../src/domain/errors.js";
import { assertDomainError } from "../../helpers/assert-domain-error.js";

describe("jobIdFromPath", () => {
  it("passes an id of up to 64 bytes through unchanged, whatever its characters", () => {
    assert.equal(MAX_JOB_ID_BYTES, 64);
    for (const id of [
      "53dc6228-c50b-46f7-8ad7-65e7159f1aae",
      "x".repeat(64),
      "é".repeat(32),
      "../../etc/passwd",
      "a b",
    ]) {
      assert.equal(jobIdFromPath(id, invalidRequest), id);
    }
  });

  it("answers a missing or empty id with the dialect's own error", () => {
    assertDomainError(() => jobIdFromPath(undefined, invalidRequest), "InvalidRequest", "The job ID is missing.");
    assertDomainError(() => jobIdFromPath("", invalidArgument), "InvalidArgument", "The job ID is missing.");
  });

  it("answers an id over 64 bytes with NoSuchJob, naming at most its first 64 characters", () => {
    assertDomainError(
      () => jobIdFromPath("x".repeat(65), invalidRequest),
      "NoSuchJob",
      `The specified job does not exist: ${"x".repeat(64)}`,
    );
    // 33 two-byte characters are 66 bytes.
    assertDomainError(
      () => jobIdFromPath("é".repeat(33), invalidRequest),
      "NoSuchJob",
      `The specified job does not exist: ${"é".repeat(33)}`,
    );
    assertDomainError(
      () => jobIdFromPath(`../${"x".repeat(1000)}`, invalidRequest),
      "NoSuchJob",
      `The specified job does not exist: ../${"x".repeat(61)}`,
    );
  });
});
