/**
 * S3 Control operations (operation.ts, operation-render.ts): every operation variant with every field it has is
 * parsed, rendered, and parsed again from what was rendered.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseS3ControlCreateJobRequest } from "../../../../src/api/dialects/s3control/create-job-request.js";
import { ACCOUNT, body, EXPECTED, OPERATIONS, reparseOperation } from "../../fixtures/s3control-requests.js";

describe("S3 Control operations", () => {
  for (const [name, xml] of Object.entries(OPERATIONS)) {
    it(`reads ${name} and reads back what it renders`, () => {
      const op = parseS3ControlCreateJobRequest(body(xml), ACCOUNT).operation;
      assert.deepEqual(op, EXPECTED[name]);
      assert.deepEqual(reparseOperation(op), op);
    });
  }
});
