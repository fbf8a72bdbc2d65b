/** How a job's FunctionArn finds the endpoint the operator configured for it. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { endpointFor } from "../../src/functions/endpoint-for.js";
import { parseFunctionEndpoints } from "../../src/functions/endpoints.js";

const ARN = "arn:aws:lambda:us-east-1:123456789012:function:thumbnail";

describe("endpointFor", () => {
  it("matches ARNs exactly, falling back from a qualified ARN to the unqualified one", () => {
    const endpoints = parseFunctionEndpoints({
      [ARN]: "http://h/plain",
      [`${ARN}:canary`]: "http://h/canary",
    });
    assert.equal(endpointFor(endpoints, ARN)?.url, "http://h/plain");
    assert.equal(endpointFor(endpoints, `${ARN}:canary`)?.url, "http://h/canary");
    assert.equal(endpointFor(endpoints, `${ARN}:$LATEST`)?.url, "http://h/plain");
    assert.equal(endpointFor(endpoints, `${ARN}:12`)?.url, "http://h/plain");
    assert.equal(endpointFor(endpoints, `${ARN}x`), undefined);
    assert.equal(endpointFor(endpoints, "toString"), undefined, "no prototype keys");
    assert.equal(endpointFor(endpoints, "http://h/plain"), undefined);
  });
});
