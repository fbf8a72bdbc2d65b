/**
 * OSS query parameters (query-params.ts): the sub-resource, batchJobId with OSS's EC code, ListJobs paging and
 * the update parameters.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OssCodedError } from "../../../../src/api/dialects/oss/errors.js";
import {
  optionalJobId,
  parseListJobsQuery,
  parseStatusQuery,
  parseTargetPriority,
  requiredJobId,
  subResourceOf,
} from "../../../../src/api/dialects/oss/query-params.js";
import { assertDomainError } from "../../../helpers/assert-domain-error.js";
import { q } from "../../fixtures/oss-requests.js";

describe("OSS query parameters", () => {
  it("finds the sub-resource, refusing two of them or a value", () => {
    assert.equal(subResourceOf(q({ batchJob: "" })), "batchJob");
    assert.equal(subResourceOf(q({ batchJobStatus: "", batchJobId: "x" })), "batchJobStatus");
    assert.equal(subResourceOf(q({ acl: "" })), undefined);
    assertDomainError(() => subResourceOf(q({ batchJob: "", batchJobPriority: "" })), "InvalidArgument", /only one/);
    assertDomainError(() => subResourceOf(q({ batchJob: "1" })), "InvalidArgument", /no value/);
  });

  it("checks batchJobId with OSS's EC code", () => {
    assert.equal(optionalJobId(q({})), undefined);
    assert.equal(
      optionalJobId(q({ batchJobId: "MzRjZGU2NGQ3YTY5NGRhMTkxZmZhYzY5OTM5YTcxYWU=" })),
      "MzRjZGU2NGQ3YTY5NGRhMTkxZmZhYzY5OTM5YTcxYWU=",
    );
    assert.equal(
      requiredJobId(q({ batchJobId: "f88354dd-f8f4-42c4-a638-74321bf47296" })),
      "f88354dd-f8f4-42c4-a638-74321bf47296",
    );
    for (const bad of [
      {},
      { batchJobId: "" },
      { batchJobId: "a/b" },
      { batchJobId: "x".repeat(65) },
      { batchJobId: "é" },
    ] as Record<string, string>[]) {
      let thrown: unknown;
      try {
        requiredJobId(q(bad));
      } catch (e) {
        thrown = e;
      }
      assert.ok(thrown instanceof OssCodedError, JSON.stringify(bad));
      assert.equal(thrown.kind, "InvalidArgument");
      assert.equal(thrown.ec, "0017-00001002");
    }
  });

  it("reads ListJobs parameters as seed 001 describes them", () => {
    assert.deepEqual(parseListJobsQuery(q({ batchJob: "" })), { maxResults: 100 });
    assert.deepEqual(
      parseListJobsQuery(
        q({
          batchJobStatuses: "Active | Cancelled|Cancelling | Active",
          "max-keys": "1000",
          "continuation-token": "next-page-token-123",
        }),
      ),
      { statuses: ["Active", "Cancelled", "Cancelling"], maxResults: 1000, nextToken: "next-page-token-123" },
    );
    assert.deepEqual(parseListJobsQuery(q({ batchJobStatuses: "  ", "max-keys": "001" })), { maxResults: 1 });
    const legalToken = `Ab0+:/=?#-_${"z".repeat(1013)}`;
    assert.equal(parseListJobsQuery(q({ "continuation-token": legalToken })).nextToken, legalToken);
    assertDomainError(
      () => parseListJobsQuery(q({ batchJobStatuses: "Running" })),
      "InvalidArgument",
      /batchJobStatuses/,
    );
    assertDomainError(
      () => parseListJobsQuery(q({ batchJobStatuses: "Active||New" })),
      "InvalidArgument",
      /batchJobStatuses/,
    );
    assertDomainError(
      () => parseListJobsQuery(q({ batchJobStatuses: "Active,New" })),
      "InvalidArgument",
      /batchJobStatuses/,
    );
    for (const bad of ["0", "1001", "-1", "1.5", "ten", "", "99999"]) {
      assertDomainError(() => parseListJobsQuery(q({ "max-keys": bad })), "InvalidArgument", /max-keys/);
    }
    for (const bad of ["", "x".repeat(1025), "has space", "semi;colon", "percent%", "ü"]) {
      assertDomainError(
        () => parseListJobsQuery(q({ "continuation-token": bad })),
        "InvalidArgument",
        /continuation-token/,
      );
    }
    assertDomainError(
      () => parseListJobsQuery([...q({ "max-keys": "1" }), ...q({ "max-keys": "2" })]),
      "InvalidArgument",
      /only once/,
    );
  });

  it("reads targetPriority and the status parameters", () => {
    assert.equal(parseTargetPriority(q({ targetPriority: "0" })), 0);
    assert.equal(parseTargetPriority(q({ targetPriority: "2147483647" })), 2147483647);
    for (const bad of ["2147483648", "-1", "1e3", "", "0x10"]) {
      assertDomainError(() => parseTargetPriority(q({ targetPriority: bad })), "InvalidArgument", /targetPriority/);
    }
    assertDomainError(() => parseTargetPriority(q({})), "InvalidArgument", /required/);
    assert.deepEqual(parseStatusQuery(q({ requestedJobStatus: "Ready" })), { requested: "Ready", reason: undefined });
    assert.deepEqual(parseStatusQuery(q({ requestedJobStatus: "Cancelled", statusUpdateReason: "取".repeat(256) })), {
      requested: "Cancelled",
      reason: "取".repeat(256),
    });
    // OSS documents statusUpdateReason as 1-256 characters: an empty one is refused, not taken as absent.
    assertDomainError(
      () => parseStatusQuery(q({ requestedJobStatus: "Cancelled", statusUpdateReason: "" })),
      "InvalidArgument",
      /statusUpdateReason/,
    );
    assertDomainError(
      () => parseStatusQuery(q({ requestedJobStatus: "Active" })),
      "InvalidArgument",
      /Ready, Cancelled or Paused/,
    );
    assertDomainError(() => parseStatusQuery(q({ requestedJobStatus: "cancelled" })), "InvalidArgument");
    assertDomainError(
      () => parseStatusQuery(q({ requestedJobStatus: "Cancelled", statusUpdateReason: "r".repeat(257) })),
      "InvalidArgument",
      /statusUpdateReason/,
    );
  });
});
