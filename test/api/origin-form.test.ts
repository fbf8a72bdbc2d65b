/**
 * originFormPath (origin-form.ts): absolute-form request targets, as HTTP proxies send them, in origin form.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { originFormPath } from "../../src/api/origin-form.js";

describe("originFormPath", () => {
  it("turns absolute-form targets into origin form and leaves origin form alone", () => {
    assert.equal(originFormPath("/jobs?x=1"), "/jobs?x=1");
    assert.equal(originFormPath("http://123456789012.localhost:8080/v20180820/jobs?a=b"), "/v20180820/jobs?a=b");
    assert.equal(originFormPath("http://127.0.0.1:8080"), "/");
    assert.equal(originFormPath("https://h?batchJob"), "/?batchJob");
  });
});
