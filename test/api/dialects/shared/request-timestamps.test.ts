/**
 * Request timestamps as COS and S3 Control accept them (src/api/dialects/shared/request-timestamps.ts): ISO-8601
 * with any offset and an optional fraction, integer Unix seconds, or an HTTP date; impossible dates refused (the
 * proleptic Gregorian calendar of ISO-8601 for every year it can write, 0000 included); and the canonical ISO form,
 * to the second or to the millisecond.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalIso, requestTimestampMillis } from "../../../../src/api/dialects/shared/request-timestamps.js";

const ms = (iso: string) => Date.parse(iso);

describe("requestTimestampMillis", () => {
  it("reads ISO-8601 in UTC or with an offset, with an optional fraction of up to nine digits", () => {
    assert.equal(requestTimestampMillis("2019-12-19T11:05:40Z"), ms("2019-12-19T11:05:40Z"));
    assert.equal(requestTimestampMillis("2019-12-19T19:05:40+08:00"), ms("2019-12-19T11:05:40Z"));
    assert.equal(requestTimestampMillis("2019-12-19T06:05:40-05:00"), ms("2019-12-19T11:05:40Z"));
    assert.equal(requestTimestampMillis("2024-01-02T03:04:05.000Z"), ms("2024-01-02T03:04:05Z"));
    assert.equal(requestTimestampMillis("2024-01-02T03:04:05.5Z"), ms("2024-01-02T03:04:05.500Z"));
    assert.equal(requestTimestampMillis("2024-01-02T03:04:05.123456789Z"), ms("2024-01-02T03:04:05.123Z"));
  });

  it("reads integer Unix seconds of up to 11 digits", () => {
    assert.equal(requestTimestampMillis("0"), 0);
    assert.equal(requestTimestampMillis("1576753540"), ms("2019-12-19T11:05:40Z"));
    assert.equal(requestTimestampMillis("00000000001"), 1000);
    assert.equal(requestTimestampMillis("99999999999"), 99999999999_000);
  });

  it("reads an HTTP date", () => {
    assert.equal(requestTimestampMillis("Thu, 19 Dec 2019 11:05:40 GMT"), ms("2019-12-19T11:05:40Z"));
    assert.equal(requestTimestampMillis("Thu, 29 Feb 2024 23:59:59 GMT"), ms("2024-02-29T23:59:59Z"));
  });

  it("reads an HTTP date's year as written, 0000-0099 included", () => {
    assert.equal(requestTimestampMillis("Thu, 19 Dec 0019 11:05:40 GMT"), ms("0019-12-19T11:05:40Z"));
    assert.equal(requestTimestampMillis("Sat, 01 Jan 0000 00:00:00 GMT"), ms("0000-01-01T00:00:00Z"));
    assert.equal(requestTimestampMillis("Fri, 31 Dec 9999 23:59:59 GMT"), ms("9999-12-31T23:59:59Z"));
  });

  it("refuses impossible dates and times in either form", () => {
    for (const value of [
      "2023-02-29T00:00:00Z",
      "2019-04-31T00:00:00Z",
      "2019-13-01T00:00:00Z",
      "2019-00-10T00:00:00Z",
      "2019-12-00T00:00:00Z",
      "2019-12-19T24:00:00Z",
      "2019-12-19T11:60:00Z",
      "2019-12-19T11:05:60Z",
      "2019-12-19T11:05:40+25:00",
      "1900-02-29T00:00:00Z",
      "2100-02-29T00:00:00Z",
      "Thu, 30 Feb 2019 11:05:40 GMT",
      "Thu, 19 Dec 2019 24:05:40 GMT",
      "Thu, 31 Jun 2019 11:05:40 GMT",
    ]) {
      assert.equal(requestTimestampMillis(value), undefined, value);
    }
  });

  it("follows the Gregorian leap years in every year, the first hundred included", () => {
    for (const year of ["0000", "0004", "0096", "0400", "1600", "2000", "2024"]) {
      const value = `${year}-02-29T00:00:00Z`;
      assert.equal(requestTimestampMillis(value), ms(value), value);
    }
    for (const year of ["0001", "0100", "0200", "0050", "1900", "2023"]) {
      assert.equal(requestTimestampMillis(`${year}-02-29T00:00:00Z`), undefined, year);
    }
    assert.equal(requestTimestampMillis("Tue, 29 Feb 0000 00:00:00 GMT"), ms("0000-02-29T00:00:00Z"));
    assert.equal(requestTimestampMillis("Mon, 29 Feb 0100 00:00:00 GMT"), undefined);
  });

  it("refuses every other form", () => {
    for (const value of [
      "",
      " 1576753540",
      "-1",
      "1.5",
      "999999999999",
      "2019-12-19",
      "2019-12-19T11:05:40",
      "2019-12-19 11:05:40Z",
      "2019-12-19t11:05:40z",
      "2019-12-19T11:05Z",
      "2019-12-19T11:05:40.Z",
      "2019-12-19T11:05:40.1234567890Z",
      "2019-12-19T11:05:40+0800",
      "+02019-12-19T11:05:40Z",
      "20191219T110540Z",
      "Thu, 19 Dec 2019 11:05:40 UTC",
      "Thursday, 19 Dec 2019 11:05:40 GMT",
      "Thu, 19 dec 2019 11:05:40 GMT",
      "Thu, 9 Dec 2019 11:05:40 GMT",
      "../../etc/passwd",
      "now",
    ]) {
      assert.equal(requestTimestampMillis(value), undefined, value);
    }
  });
});

describe("canonicalIso", () => {
  it("writes UTC to the second, or to the millisecond when there are some", () => {
    assert.equal(canonicalIso(ms("2019-12-19T11:05:40Z")), "2019-12-19T11:05:40Z");
    assert.equal(canonicalIso(ms("2019-12-19T11:05:40.001Z")), "2019-12-19T11:05:40.001Z");
    assert.equal(canonicalIso(ms("2019-12-19T11:05:40.100Z")), "2019-12-19T11:05:40.100Z");
    assert.equal(canonicalIso(0), "1970-01-01T00:00:00Z");
  });

  it("round-trips what requestTimestampMillis reads", () => {
    assert.equal(canonicalIso(requestTimestampMillis("2019-12-19T19:05:40.250+08:00")!), "2019-12-19T11:05:40.250Z");
    assert.equal(canonicalIso(requestTimestampMillis("Thu, 19 Dec 2019 11:05:40 GMT")!), "2019-12-19T11:05:40Z");
    assert.equal(canonicalIso(requestTimestampMillis("0000-02-29T00:00:00Z")!), "0000-02-29T00:00:00Z");
  });
});
