/**
 * OSS's detailed error codes and the DomainError that carries one (src/api/auth/oss-coded-error.ts): the EC values
 * OSS documents, and an OssCodedError that is a DomainError in every respect (the dialects, the plugin and the
 * service treat it as one) with its EC beside. The OSS dialect re-exports both and renders the EC: errors.test.ts
 * under test/api/dialects/oss/.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { OSS_EC, OssCodedError } from "../../../src/api/auth/oss-coded-error.js";
import * as ossErrors from "../../../src/api/dialects/oss/errors.js";
import { DomainError, isDomainError } from "../../../src/domain/errors.js";

describe("OSS EC codes", () => {
  it("are in OSS's NNNN-NNNNNNNN form, each distinct, the job ID's being the one README documents", () => {
    const codes = Object.values(OSS_EC);
    assert.equal(codes.length, 7);
    for (const ec of codes) assert.match(ec, /^\d{4}-\d{8}$/);
    assert.equal(new Set(codes).size, codes.length);
    assert.equal(OSS_EC.invalidJobId, "0017-00001002");
  });
});

describe("OssCodedError", () => {
  it("is a DomainError with its kind and message, and carries the EC", () => {
    const error = new OssCodedError("InvalidArgument", "The batchJobId is not a valid job ID.", OSS_EC.invalidJobId);
    assert.ok(error instanceof DomainError);
    assert.ok(error instanceof Error);
    assert.equal(isDomainError(error), true);
    assert.equal(error.kind, "InvalidArgument");
    assert.equal(error.message, "The batchJobId is not a valid job ID.");
    assert.equal(error.name, "DomainError");
    assert.equal(error.ec, "0017-00001002");
  });

  it("is the very class and table the OSS dialect's error model re-exports", () => {
    assert.equal(ossErrors.OssCodedError, OssCodedError);
    assert.equal(ossErrors.OSS_EC, OSS_EC);
  });
});
