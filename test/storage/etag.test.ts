/**
 * ETags (etag.ts): one meaning per function. The same ETag whatever its quotes; an If-Match condition with `*`
 * and lists; the manifest's ETag as docs/decisions.md D10 compares it (case-insensitive, no expectation
 * matches); and the forms ETags are written and printed in.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  bareEtag,
  ifMatchAccepts,
  isMd5Etag,
  manifestEtagMatches,
  normalizeEtag,
  quoteEtag,
  sameEtag,
} from "../../src/storage/etag.js";

const HEX = "d41d8cd98f00b204e9800998ecf8427e";

describe("quoteEtag and bareEtag", () => {
  it("quotes a bare ETag and leaves quoted, weak and * ones as they are", () => {
    assert.equal(quoteEtag(HEX), `"${HEX}"`);
    assert.equal(quoteEtag(`"${HEX}"`), `"${HEX}"`);
    assert.equal(quoteEtag(`W/"${HEX}"`), `W/"${HEX}"`);
    assert.equal(quoteEtag("*"), "*");
    assert.equal(quoteEtag("abc-3"), '"abc-3"');
  });

  it("strips whitespace, a weak marker and quotes, keeping the letter case", () => {
    assert.equal(bareEtag(` W/"${HEX.toUpperCase()}" `), HEX.toUpperCase());
    assert.equal(bareEtag(`"${HEX}"`), HEX);
    assert.equal(bareEtag(HEX), HEX);
  });
});

describe("sameEtag", () => {
  it("compares ETags with or without quotes and weak markers, character for character", () => {
    assert.equal(sameEtag(`"${HEX}"`, HEX), true);
    assert.equal(sameEtag(`W/"${HEX}"`, `"${HEX}"`), true);
    assert.equal(sameEtag(HEX, HEX.toUpperCase()), false);
    assert.equal(sameEtag('"abc-2"', '"abc-3"'), false);
  });
});

describe("ifMatchAccepts", () => {
  it("accepts any object for *", () => {
    assert.equal(ifMatchAccepts("*", `"${HEX}"`), true);
    assert.equal(ifMatchAccepts(" * ", "anything"), true);
  });

  it("accepts the object's ETag, quotes optional, and refuses another", () => {
    assert.equal(ifMatchAccepts(HEX, `"${HEX}"`), true);
    assert.equal(ifMatchAccepts(`"${HEX}"`, HEX), true);
    assert.equal(ifMatchAccepts('"ffff"', `"${HEX}"`), false);
    assert.equal(ifMatchAccepts(HEX.toUpperCase(), `"${HEX}"`), false, "strong comparison: the letter case counts");
  });

  it("accepts a list holding the object's ETag, quoted or bare, and refuses one without it", () => {
    assert.equal(ifMatchAccepts(`"0123", "${HEX}"`, `"${HEX}"`), true);
    assert.equal(ifMatchAccepts(`0123,${HEX}`, `"${HEX}"`), true);
    assert.equal(ifMatchAccepts(`"0123" , W/"${HEX}"`, `"${HEX}"`), true);
    assert.equal(ifMatchAccepts('"0123", "4567"', `"${HEX}"`), false);
    assert.equal(ifMatchAccepts('"a,b"', '"a,b"'), true, "a quoted ETag may hold a comma");
    assert.equal(ifMatchAccepts("", `"${HEX}"`), false);
  });
});

describe("manifestEtagMatches", () => {
  it("ignores quotes on either side and hex case", () => {
    for (const expected of [HEX, `"${HEX}"`, HEX.toUpperCase(), `"${HEX.toUpperCase()}"`, ` ${HEX} `]) {
      assert.equal(manifestEtagMatches(expected, `"${HEX}"`), true, expected);
      assert.equal(manifestEtagMatches(expected, HEX), true, expected);
    }
  });

  it("matches multipart ETags literally", () => {
    assert.equal(manifestEtagMatches("abc123-4", '"ABC123-4"'), true);
    assert.equal(manifestEtagMatches("abc123-4", '"abc123-5"'), false);
  });

  it("rejects a different ETag", () => {
    assert.equal(manifestEtagMatches(`"${HEX}"`, '"00000000000000000000000000000000"'), false);
  });

  it("matches anything when no ETag was given", () => {
    assert.equal(manifestEtagMatches(undefined, `"${HEX}"`), true);
    assert.equal(manifestEtagMatches('""', `"${HEX}"`), true);
  });

  it("is not an If-Match: * is an ETag like any other here", () => {
    assert.equal(manifestEtagMatches("*", `"${HEX}"`), false);
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
