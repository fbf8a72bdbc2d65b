/**
 * Bucket name patterns (bucket-patterns.ts): globs with `*` and `?` that match whole bucket names, every other
 * character literally.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { globToRegExp } from "../../src/accounts/bucket-patterns.js";

describe("globToRegExp", () => {
  it("matches * and ? as globs, anchored at both ends", () => {
    assert.ok(globToRegExp("team-*").test("team-x"));
    assert.ok(!globToRegExp("team-*").test("xteam-x"));
    assert.ok(globToRegExp("log?").test("logs"));
    assert.ok(!globToRegExp("log?").test("log"));
    assert.ok(!globToRegExp("logs").test("logs-2"));
    assert.ok(globToRegExp("*").test("anything.at-all"));
  });

  it("takes every other character literally", () => {
    assert.ok(globToRegExp("a.b").test("a.b"));
    assert.ok(!globToRegExp("a.b").test("axb"));
    for (const name of ["a+b", "a(b)", "a[b]", "a{1}", "a^b$", "a|b", "a\\b"]) {
      assert.ok(globToRegExp(name).test(name), name);
      assert.ok(!globToRegExp(name).test(`${name}x`), name);
    }
  });
});
