/**
 * Values of job query parameters read the same way in every dialect (src/api/dialects/shared/query-values.ts): a
 * priority 0-2147483647 and a page size of at most four digits, decimal with leading zeros allowed and nothing else
 * (undefined otherwise, for the dialect to word the error); the requested status Ready or Cancelled.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  jobPriorityOf,
  MAX_JOB_PRIORITY,
  pageSizeOf,
  requestedJobStatusOf,
} from "../../../../src/api/dialects/shared/query-values.js";
import { assertDomainError } from "../../../helpers/assert-domain-error.js";

const NOT_DECIMAL = ["", " 1", "1 ", "+1", "-1", "-0", "1.0", "1e3", "0x10", "١", "１", "1_000", "../../etc/passwd"];

describe("jobPriorityOf", () => {
  it("reads 0 to 2147483647, leading zeros allowed", () => {
    assert.equal(MAX_JOB_PRIORITY, 2147483647);
    assert.equal(jobPriorityOf("0"), 0);
    assert.equal(jobPriorityOf("000"), 0);
    assert.equal(jobPriorityOf("10"), 10);
    assert.equal(jobPriorityOf("2147483647"), 2147483647);
    assert.equal(jobPriorityOf(`${"0".repeat(50)}2147483647`), 2147483647);
  });

  it("answers undefined above the maximum and for anything that is not plain decimal", () => {
    for (const value of ["2147483648", "9999999999", "99999999999", ...NOT_DECIMAL]) {
      assert.equal(jobPriorityOf(value), undefined, value);
    }
  });
});

describe("pageSizeOf", () => {
  it("reads up to four significant digits, leading zeros allowed, leaving the range to the caller", () => {
    assert.equal(pageSizeOf("0"), 0);
    assert.equal(pageSizeOf("1"), 1);
    assert.equal(pageSizeOf("0001000"), 1000);
    assert.equal(pageSizeOf("9999"), 9999);
  });

  it("answers undefined for five digits or more and for anything that is not plain decimal", () => {
    for (const value of ["10000", "99999999999999999999", ...NOT_DECIMAL]) {
      assert.equal(pageSizeOf(value), undefined, value);
    }
  });
});

describe("requestedJobStatusOf", () => {
  it("reads Ready and Cancelled, and the extension Paused (D31), exactly", () => {
    assert.equal(requestedJobStatusOf("Ready"), "Ready");
    assert.equal(requestedJobStatusOf("Cancelled"), "Cancelled");
    assert.equal(requestedJobStatusOf("Paused"), "Paused");
  });

  it("refuses a missing value and every other word with InvalidArgument", () => {
    for (const value of [undefined, "", "ready", "Canceled", "Active", "Complete", " Ready", "paused", "Pausing"]) {
      assertDomainError(
        () => requestedJobStatusOf(value),
        "InvalidArgument",
        "The requestedJobStatus parameter must be Ready, Cancelled or Paused.",
      );
    }
  });
});
