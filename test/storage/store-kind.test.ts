/**
 * Which kind of store serves a bucket (store-kind.ts), from the storage config alone: routes in order, the
 * first match wins, a bucket no route matches is undefined.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { storeKindResolver } from "../../src/storage/store-kind.js";

describe("storeKindResolver", () => {
  it("answers for a single store and for routes, first match first", () => {
    assert.equal(storeKindResolver({ kind: "local", dataDir: "/d" })("any"), "local");
    assert.equal(storeKindResolver({ kind: "s3", region: "r" })("any"), "s3");
    const kind = storeKindResolver({
      kind: "routed",
      routes: [
        { buckets: ["logs-*"], store: { kind: "s3", region: "r" } },
        { buckets: ["logs-local", "archive?"], store: { kind: "local", dataDir: "/a" } },
      ],
    });
    assert.equal(kind("logs-a"), "s3");
    assert.equal(kind("logs-local"), "s3", "the first route that matches wins");
    assert.equal(kind("archive1"), "local");
    assert.equal(kind("archive"), undefined);
  });
});
