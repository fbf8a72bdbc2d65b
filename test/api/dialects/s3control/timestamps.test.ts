/**
 * S3 Control timestamps (src/api/dialects/s3control/timestamps.ts): request times in ISO-8601 (any offset,
 * optional fraction), Unix seconds or an HTTP date, normalised to canonical ISO-8601 UTC, within the years the
 * canonical form can carry without a sign (0000-9999), with InvalidArgument naming the element; responses to the
 * second for a job's own times (Dates, D3) and as given, to the millisecond, for times a client sent (stored
 * strings). The forms themselves: shared/request-timestamps.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  formatS3ControlTimestamp,
  parseS3ControlTimestamp,
} from "../../../../src/api/dialects/s3control/timestamps.js";
import { assertDomainError } from "../../../helpers/assert-domain-error.js";

const PATH = "CreateJobRequest/Operation/S3PutObjectRetention/Retention/RetainUntilDate";
const refusal = (value: string) => `${PATH} must be an ISO-8601 time such as 2024-01-02T03:04:05Z, not "${value}".`;

describe("parseS3ControlTimestamp", () => {
  it("normalises every accepted form to ISO-8601 UTC, keeping milliseconds only when there are some", () => {
    assert.equal(parseS3ControlTimestamp("2024-01-02T03:04:05.000Z", PATH), "2024-01-02T03:04:05Z");
    assert.equal(parseS3ControlTimestamp("2024-01-02T03:04:05.120Z", PATH), "2024-01-02T03:04:05.120Z");
    assert.equal(parseS3ControlTimestamp("2024-01-02T05:04:05+02:00", PATH), "2024-01-02T03:04:05Z");
    assert.equal(parseS3ControlTimestamp("1704164645", PATH), "2024-01-02T03:04:05Z");
    assert.equal(parseS3ControlTimestamp("Tue, 02 Jan 2024 03:04:05 GMT", PATH), "2024-01-02T03:04:05Z");
  });

  it("accepts the years 0000 to 9999 in UTC, and refuses what an offset pushes outside them", () => {
    assert.equal(parseS3ControlTimestamp("0000-01-01T00:00:00Z", PATH), "0000-01-01T00:00:00Z");
    assert.equal(parseS3ControlTimestamp("9999-12-31T23:59:59.999Z", PATH), "9999-12-31T23:59:59.999Z");
    assert.equal(parseS3ControlTimestamp("99999999999", PATH), "5138-11-16T09:46:39Z");
    for (const value of ["0000-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]) {
      assertDomainError(() => parseS3ControlTimestamp(value, PATH), "InvalidArgument", refusal(value));
    }
  });

  it("refuses anything else with InvalidArgument naming the element and the value, clipped to 64 characters", () => {
    for (const value of ["", "tomorrow", "2024-02-30T00:00:00Z", "2024-01-02", "-1", "../../etc/passwd"]) {
      assertDomainError(() => parseS3ControlTimestamp(value, PATH), "InvalidArgument", refusal(value));
    }
    const long = "2".repeat(100);
    assertDomainError(() => parseS3ControlTimestamp(long, PATH), "InvalidArgument", refusal(`${"2".repeat(64)}...`));
  });
});

describe("formatS3ControlTimestamp", () => {
  it("writes a job's own time (a Date) to the second", () => {
    assert.equal(formatS3ControlTimestamp(new Date("2019-12-19T11:05:40.789Z")), "2019-12-19T11:05:40Z");
  });

  it("writes a time a client sent (a stored string) in UTC, to the millisecond when it had them", () => {
    assert.equal(formatS3ControlTimestamp("2019-12-19T11:05:40.789Z"), "2019-12-19T11:05:40.789Z");
    assert.equal(formatS3ControlTimestamp("2019-12-19T11:05:40Z"), "2019-12-19T11:05:40Z");
    assert.equal(formatS3ControlTimestamp("2019-12-19T13:05:40+02:00"), "2019-12-19T11:05:40Z");
  });

  it("writes a stored string that is not a time back unchanged", () => {
    for (const text of ["", "free text", "not <a> time"]) assert.equal(formatS3ControlTimestamp(text), text);
  });

  it("round-trips what parseS3ControlTimestamp stores", () => {
    for (const sent of ["2024-01-02T03:04:05.120Z", "Tue, 02 Jan 2024 03:04:05 GMT", "0000-02-29T00:00:00Z"]) {
      const stored = parseS3ControlTimestamp(sent, PATH);
      assert.equal(formatS3ControlTimestamp(stored), stored, sent);
    }
  });
});
