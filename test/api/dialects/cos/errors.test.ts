/**
 * The COS error model (errors.ts): each DomainError kind's code and status, COS's own words, and the
 * `<Error>` body.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cosErrorFor, renderCosError } from "../../../../src/api/dialects/cos/errors.js";
import { DomainError, type DomainErrorKind } from "../../../../src/domain/errors.js";
import { DECL } from "../../fixtures/cos-requests.js";

describe("COS errors", () => {
  const table: [DomainErrorKind, number, string][] = [
    ["InvalidArgument", 400, "InvalidArgument"],
    ["InvalidRequest", 400, "InvalidRequest"],
    ["MalformedXML", 400, "MalformedXML"],
    ["NoSuchJob", 404, "NoSuchJob"],
    ["IllegalStatusChange", 400, "InvalidRequest"],
    ["Idempotency", 400, "InvalidRequest"],
    ["TooManyJobs", 500, "TooManyJobs"],
    ["ServiceUnavailable", 500, "ServiceUnavailable"],
    ["InternalError", 500, "InternalError"],
    ["AccessDenied", 403, "AccessDenied"],
    ["MissingSecurityHeader", 403, "AccessDenied"],
    ["InvalidAccessKeyId", 403, "InvalidAccessKeyId"],
    ["SignatureDoesNotMatch", 403, "SignatureDoesNotMatch"],
    ["RequestTimeTooSkewed", 403, "RequestTimeTooSkewed"],
    ["ExpiredToken", 403, "AccessDenied"],
    ["EntityTooLarge", 400, "EntityTooLarge"],
    ["MethodNotAllowed", 405, "MethodNotAllowed"],
  ];
  for (const [kind, status, code] of table) {
    it(`maps ${kind} to ${status} ${code}`, () => {
      const e = cosErrorFor(new DomainError(kind, "m"));
      assert.equal(e.status, status);
      assert.equal(e.code, code);
    });
  }

  it("uses COS's own words for duplicates and expiry", () => {
    assert.equal(cosErrorFor(new DomainError("Idempotency", "x")).message, "Duplicate request.");
    assert.equal(cosErrorFor(new DomainError("ExpiredToken", "x")).message, "Request has expired");
  });

  it("renders the COS error body", () => {
    const xml = renderCosError(
      { status: 404, code: "NoSuchJob", message: "The specified job does not exist" },
      "h/jobs/x",
      "rid",
      "tid",
    );
    assert.equal(
      xml,
      `${DECL}<Error><Code>NoSuchJob</Code><Message>The specified job does not exist</Message><Resource>h/jobs/x</Resource><RequestId>rid</RequestId><TraceId>tid</TraceId></Error>`,
    );
  });
});
