/**
 * COS timestamps (src/api/dialects/cos/timestamps.ts): request times in ISO-8601 (any offset, optional fraction),
 * Unix seconds or an HTTP date, normalised to canonical ISO-8601 UTC, with the error naming the element and
 * overridable by the caller; responses in ISO-8601 UTC to the second with `Z` (D3), and a stored string that is
 * not a time written back unchanged. The forms themselves: shared/request-timestamps.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatCosTimestamp, parseCosTimestamp } from "../../../../src/api/dialects/cos/timestamps.js";
import { invalidRequest } from "../../../../src/domain/errors.js";
import { assertDomainError } from "../../../helpers/assert-domain-error.js";

const PATH = "CreateJobRequest/Operation/COSPutObjectCopy/ModifiedSinceConstraint";

describe("parseCosTimestamp", () => {
  it("normalises every accepted form to ISO-8601 UTC, keeping milliseconds only when there are some", () => {
    assert.equal(parseCosTimestamp("2019-12-19T11:05:40Z", PATH), "2019-12-19T11:05:40Z");
    assert.equal(parseCosTimestamp("2019-12-19T19:05:40+08:00", PATH), "2019-12-19T11:05:40Z");
    assert.equal(parseCosTimestamp("2019-12-19T11:05:40.000Z", PATH), "2019-12-19T11:05:40Z");
    assert.equal(parseCosTimestamp("2019-12-19T11:05:40.25Z", PATH), "2019-12-19T11:05:40.250Z");
    assert.equal(parseCosTimestamp("1576753540", PATH), "2019-12-19T11:05:40Z");
    assert.equal(parseCosTimestamp("Thu, 19 Dec 2019 11:05:40 GMT", PATH), "2019-12-19T11:05:40Z");
  });

  it("refuses anything else with InvalidArgument naming the element and the value, clipped to 64 characters", () => {
    for (const value of ["", "yesterday", "2019-02-30T00:00:00Z", "-1", "1.5", "../../etc/passwd"]) {
      assertDomainError(
        () => parseCosTimestamp(value, PATH),
        "InvalidArgument",
        `${PATH} must be an ISO-8601 time (2019-12-19T11:05:40Z) or Unix seconds, not "${value}".`,
      );
    }
    assertDomainError(
      () => parseCosTimestamp("9".repeat(100), PATH),
      "InvalidArgument",
      `${PATH} must be an ISO-8601 time (2019-12-19T11:05:40Z) or Unix seconds, not "${"9".repeat(64)}".`,
    );
  });

  it("answers with the caller's error when given one", () => {
    assertDomainError(() => parseCosTimestamp("soon", "X/Y", invalidRequest), "InvalidRequest", /^X\/Y must be/);
  });
});

describe("formatCosTimestamp", () => {
  it("writes a Date in UTC to the second", () => {
    assert.equal(formatCosTimestamp(new Date("2019-12-19T11:05:40Z")), "2019-12-19T11:05:40Z");
    assert.equal(formatCosTimestamp(new Date("2019-12-19T11:05:40.999Z")), "2019-12-19T11:05:40Z");
  });

  it("writes a stored time string in UTC to the second, whatever offset or fraction it was stored with", () => {
    assert.equal(formatCosTimestamp("2019-12-19T11:05:40.789Z"), "2019-12-19T11:05:40Z");
    assert.equal(formatCosTimestamp("2019-12-19T19:05:40+08:00"), "2019-12-19T11:05:40Z");
  });

  it("writes a stored string that is not a time back unchanged, rather than failing the response", () => {
    for (const text of ["", "free text", "not <a> time"]) assert.equal(formatCosTimestamp(text), text);
  });

  it("round-trips what parseCosTimestamp stores, to the second", () => {
    const stored = parseCosTimestamp("Thu, 19 Dec 2019 11:05:40 GMT", PATH);
    assert.equal(formatCosTimestamp(stored), "2019-12-19T11:05:40Z");
  });
});
