/**
 * The S3 Control error model (errors.ts): the modelled exception names and statuses, and the `<ErrorResponse>`
 * body.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  renderS3ControlError,
  S3ControlError,
  s3ControlErrorFor,
} from "../../../../src/api/dialects/s3control/errors.js";
import { DomainError } from "../../../../src/domain/errors.js";
import { parser } from "../../fixtures/s3control-requests.js";

describe("S3 Control errors", () => {
  it("renders errors as <ErrorResponse><Error> with the modelled exception names", () => {
    const cases: [DomainError, number, string][] = [
      [new DomainError("NoSuchJob", "gone"), 404, "NotFoundException"],
      [new DomainError("IllegalStatusChange", "no"), 400, "JobStatusException"],
      [new DomainError("Idempotency", "no"), 400, "IdempotencyException"],
      [new DomainError("InvalidNextToken", "no"), 400, "InvalidNextTokenException"],
      [new DomainError("TooManyTags", "no"), 400, "TooManyTagsException"],
      [new DomainError("MalformedXML", "no"), 400, "BadRequestException"],
      [new DomainError("InvalidArgument", "no"), 400, "BadRequestException"],
      [new DomainError("ServiceUnavailable", "busy"), 503, "SlowDown"],
      [new DomainError("InternalError", "oops"), 500, "InternalServiceException"],
      [new DomainError("SignatureDoesNotMatch", "sig"), 403, "SignatureDoesNotMatch"],
    ];
    for (const [domain, status, code] of cases) {
      const e = s3ControlErrorFor(domain);
      assert.equal(e.status, status);
      assert.equal(e.code, code);
      const xml = parser.parse(renderS3ControlError(e, "REQ1", "HOST1"));
      assert.deepEqual(xml.ErrorResponse, {
        Error: { Type: status >= 500 ? "Receiver" : "Sender", Code: code, Message: domain.message },
        RequestId: "REQ1",
        HostId: "HOST1",
      });
    }
    assert.ok(new S3ControlError(400, "X", "y") instanceof Error);
  });
});
