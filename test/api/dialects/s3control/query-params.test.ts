/**
 * S3 Control query parameters (query-params.ts): ListJobs statuses, maxResults and nextToken, priority and
 * status, and the exceptions bad values answer.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { S3ControlError } from "../../../../src/api/dialects/s3control/errors.js";
import {
  parseListJobsQuery,
  parsePriorityQuery,
  parseStatusQuery,
} from "../../../../src/api/dialects/s3control/query-params.js";
import { assertDomainError } from "../../../helpers/assert-domain-error.js";

describe("S3 Control query parameters", () => {
  const q = (pairs: [string, string][]) => pairs.map(([name, value]) => ({ name, value }));

  it("reads jobStatuses repeated and comma-separated, maxResults and nextToken", () => {
    assert.deepEqual(
      parseListJobsQuery(
        q([
          ["jobStatuses", "Active"],
          ["jobStatuses", "Complete,Failed"],
          ["maxResults", "5"],
          ["nextToken", "abc-123"],
        ]),
      ),
      { statuses: ["Active", "Complete", "Failed"], maxResults: 5, nextToken: "abc-123" },
    );
    assert.deepEqual(parseListJobsQuery([]), { maxResults: 1000 });
    // The model allows 0: no jobs, as S3's listings answer a maximum of 0.
    assert.deepEqual(parseListJobsQuery(q([["maxResults", "0"]])), { maxResults: 0 });
  });

  it("rejects bad ListJobs parameters with InvalidRequestException / InvalidNextTokenException", () => {
    const code = (pairs: [string, string][]) => {
      try {
        parseListJobsQuery(q(pairs));
        return "accepted";
      } catch (e) {
        return (e as S3ControlError).code;
      }
    };
    assert.equal(code([["jobStatuses", "Running"]]), "InvalidRequestException");
    assert.equal(code([["maxResults", "1001"]]), "InvalidRequestException");
    assert.equal(code([["maxResults", "ten"]]), "InvalidRequestException");
    assert.equal(
      code([
        ["maxResults", "1"],
        ["maxResults", "2"],
      ]),
      "InvalidRequestException",
    );
    assert.equal(code([["nextToken", "bad token!"]]), "InvalidNextTokenException");
  });

  it("reads priority and status parameters", () => {
    assert.equal(parsePriorityQuery(q([["priority", "2147483647"]])), 2147483647);
    assertDomainError(() => parsePriorityQuery(q([["priority", "2147483648"]])), "InvalidArgument");
    assertDomainError(() => parsePriorityQuery([]), "InvalidArgument", /required/);
    assert.deepEqual(
      parseStatusQuery(
        q([
          ["requestedJobStatus", "Cancelled"],
          ["statusUpdateReason", "no longer needed"],
        ]),
      ),
      { requested: "Cancelled", reason: "no longer needed" },
    );
    assert.deepEqual(parseStatusQuery(q([["requestedJobStatus", "Paused"]])), {
      requested: "Paused",
      reason: undefined,
    });
    assertDomainError(() => parseStatusQuery(q([["requestedJobStatus", "Pausing"]])), "InvalidArgument");
    assertDomainError(
      () =>
        parseStatusQuery(
          q([
            ["requestedJobStatus", "Ready"],
            ["statusUpdateReason", "r".repeat(257)],
          ]),
        ),
      "InvalidArgument",
    );
  });
});
