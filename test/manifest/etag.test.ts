import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { etagMatches, isMd5Etag, normalizeEtag } from "../../src/manifest/etag.js";

const HEX = "d41d8cd98f00b204e9800998ecf8427e";

describe("etagMatches", () => {
  it("ignores quotes on either side and hex case", () => {
    for (const expected of [HEX, `"${HEX}"`, HEX.toUpperCase(), `"${HEX.toUpperCase()}"`, ` ${HEX} `]) {
      assert.equal(etagMatches(expected, `"${HEX}"`), true, expected);
      assert.equal(etagMatches(expected, HEX), true, expected);
    }
  });

  it("matches multipart ETags literally", () => {
    assert.equal(etagMatches("abc123-4", '"ABC123-4"'), true);
    assert.equal(etagMatches("abc123-4", '"abc123-5"'), false);
  });

  it("rejects a different ETag", () => {
    assert.equal(etagMatches(`"${HEX}"`, '"00000000000000000000000000000000"'), false);
  });

  it("matches anything when no ETag was given", () => {
    assert.equal(etagMatches(undefined, `"${HEX}"`), true);
    assert.equal(etagMatches('""', `"${HEX}"`), true);
  });
});

describe("normalizeEtag and isMd5Etag", () => {
  it("normalizes weak and quoted ETags", () => {
    assert.equal(normalizeEtag(`W/"${HEX.toUpperCase()}"`), HEX);
  });

  it("recognizes single-part MD5 ETags", () => {
    assert.equal(isMd5Etag(`"${HEX}"`), true);
    assert.equal(isMd5Etag(`${HEX}-2`), false);
    assert.equal(isMd5Etag("abc"), false);
  });
});
