/**
 * COS query parameters (src/api/dialects/cos/query-params.ts) read from decoded parameters: names match without
 * case, as COS signs them, but one name sent under two spellings is refused; jobStatuses may be repeated and
 * comma-separated; maxResults is 1-1000 (default 1000); nextToken 1-64 bytes; priority 0-2147483647, required
 * (InvalidRequest when missing); requestedJobStatus Ready or Cancelled; statusUpdateReason at most 256 bytes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  COS_DEFAULT_MAX_RESULTS,
  parseListJobsQuery,
  parsePriorityQuery,
  parseStatusQuery,
} from "../../../../src/api/dialects/cos/query-params.js";
import { assertDomainError } from "../../../helpers/assert-domain-error.js";

const q = (...pairs: [string, string][]) => pairs.map(([name, value]) => ({ name, value }));

describe("COS ListJobs parameters", () => {
  it("answers the first 1000 jobs of every status when nothing is asked", () => {
    assert.equal(COS_DEFAULT_MAX_RESULTS, 1000);
    assert.deepEqual(parseListJobsQuery([]), { maxResults: 1000 });
    assert.deepEqual(parseListJobsQuery(q(["jobStatuses", ""], ["jobStatuses", " "])), { maxResults: 1000 });
  });

  it("reads jobStatuses repeated and comma-separated, trimmed, without duplicates, in the order given", () => {
    assert.deepEqual(
      parseListJobsQuery(q(["jobStatuses", "Complete, Active"], ["jobStatuses", "Failed,Active"])).statuses,
      ["Complete", "Active", "Failed"],
    );
    assert.deepEqual(parseListJobsQuery(q(["JOBSTATUSES", "Cancelled"])).statuses, ["Cancelled"]);
  });

  it("refuses a word that is not a job status, an empty item among others, and two spellings of the name", () => {
    for (const value of ["Running", "active", "Active,,Complete", "Active,", "../../etc/passwd"]) {
      assertDomainError(
        () => parseListJobsQuery(q(["jobStatuses", value])),
        "InvalidArgument",
        /^Parameter jobStatuses is invalid: ".*" is not a job status\.$/,
      );
    }
    assertDomainError(
      () => parseListJobsQuery(q(["jobStatuses", ""], ["jobStatuses", "Bogus"])),
      "InvalidArgument",
      'Parameter jobStatuses is invalid: "" is not a job status.',
    );
    assertDomainError(
      () => parseListJobsQuery(q(["jobStatuses", `${"X".repeat(100)}`])),
      "InvalidArgument",
      `Parameter jobStatuses is invalid: "${"X".repeat(64)}" is not a job status.`,
    );
    assertDomainError(
      () => parseListJobsQuery(q(["jobStatuses", "Active"], ["jobstatuses", "Failed"])),
      "InvalidArgument",
      "The parameter jobStatuses is sent under several spellings.",
    );
  });

  it("reads maxResults 1-1000 under any spelling, with leading zeros", () => {
    assert.equal(parseListJobsQuery(q(["maxResults", "1"])).maxResults, 1);
    assert.equal(parseListJobsQuery(q(["maxresults", "1000"])).maxResults, 1000);
    assert.equal(parseListJobsQuery(q(["MAXRESULTS", "0050"])).maxResults, 50);
  });

  it("refuses maxResults out of range, not a plain number, or given twice", () => {
    for (const value of ["0", "1001", "9999", "", "-1", "+5", "1.0", "1e3", " 5", "10000"]) {
      assertDomainError(
        () => parseListJobsQuery(q(["maxResults", value])),
        "InvalidArgument",
        "The maxResults parameter must be an integer between 1 and 1000.",
      );
    }
    assertDomainError(
      () => parseListJobsQuery(q(["maxResults", "5"], ["maxResults", "5"])),
      "InvalidArgument",
      "The parameter maxResults may be given only once.",
    );
  });

  it("passes a nextToken of 1-64 bytes through as it is, and refuses an empty or longer one", () => {
    assert.equal(parseListJobsQuery(q(["nextToken", "a"])).nextToken, "a");
    assert.equal(parseListJobsQuery(q(["nexttoken", "é".repeat(32)])).nextToken, "é".repeat(32));
    // A token is an opaque job id to the store, never a path.
    assert.equal(parseListJobsQuery(q(["nextToken", "../../etc/passwd"])).nextToken, "../../etc/passwd");
    for (const value of ["", "é".repeat(32) + "x", "x".repeat(65)]) {
      assertDomainError(
        () => parseListJobsQuery(q(["nextToken", value])),
        "InvalidArgument",
        "The nextToken parameter is invalid.",
      );
    }
  });

  it("returns every parameter together", () => {
    assert.deepEqual(parseListJobsQuery(q(["jobStatuses", "Active"], ["maxResults", "10"], ["nextToken", "job-1"])), {
      statuses: ["Active"],
      maxResults: 10,
      nextToken: "job-1",
    });
  });
});

describe("COS UpdateJobPriority parameters", () => {
  it("reads priority 0-2147483647 under any spelling", () => {
    assert.equal(parsePriorityQuery(q(["priority", "0"])), 0);
    assert.equal(parsePriorityQuery(q(["Priority", "007"])), 7);
    assert.equal(parsePriorityQuery(q(["PRIORITY", "2147483647"])), 2147483647);
  });

  it("answers a missing priority with InvalidRequest and a bad one with InvalidArgument", () => {
    assertDomainError(() => parsePriorityQuery([]), "InvalidRequest", "The priority parameter is required.");
    for (const value of ["", "-1", "2147483648", "1.5", "ten", " 1"]) {
      assertDomainError(
        () => parsePriorityQuery(q(["priority", value])),
        "InvalidArgument",
        "Priority must be an integer between 0 and 2147483647.",
      );
    }
    assertDomainError(
      () => parsePriorityQuery(q(["priority", "1"], ["priority", "2"])),
      "InvalidArgument",
      "The parameter priority may be given only once.",
    );
  });
});

describe("COS UpdateJobStatus parameters", () => {
  it("reads requestedJobStatus and an optional reason; an empty reason is none", () => {
    assert.deepEqual(parseStatusQuery(q(["requestedJobStatus", "Cancelled"])), {
      requested: "Cancelled",
      reason: undefined,
    });
    assert.deepEqual(parseStatusQuery(q(["requestedjobstatus", "Ready"], ["statusUpdateReason", ""])), {
      requested: "Ready",
      reason: undefined,
    });
    assert.deepEqual(
      parseStatusQuery(q(["requestedJobStatus", "Ready"], ["StatusUpdateReason", "no <longer> needed"])),
      {
        requested: "Ready",
        reason: "no <longer> needed",
      },
    );
  });

  it("refuses any other status, a missing one, and a reason over 256 bytes", () => {
    for (const params of [[], q(["requestedJobStatus", "ready"]), q(["requestedJobStatus", "Active"])]) {
      assertDomainError(
        () => parseStatusQuery(params),
        "InvalidArgument",
        "The requestedJobStatus parameter must be Ready, Cancelled or Paused.",
      );
    }
    assert.equal(
      parseStatusQuery(q(["requestedJobStatus", "Ready"], ["statusUpdateReason", "é".repeat(128)])).reason?.length,
      128,
    );
    assertDomainError(
      () => parseStatusQuery(q(["requestedJobStatus", "Ready"], ["statusUpdateReason", `${"é".repeat(128)}x`])),
      "InvalidArgument",
      "The statusUpdateReason parameter must be at most 256 bytes long.",
    );
  });
});
