/**
 * Reading a SigV4 signature's fields (src/api/auth/sigv4-authorization.ts): the Authorization header, a presigned
 * URL's X-Amz-* parameters, X-Amz-Date and X-Amz-Expires. Everything malformed is MissingSecurityHeader, "The
 * authorization is malformed: <what is wrong>." Whether a well-formed signature is right: sigv4.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { QueryParam } from "../../../src/api/auth/request-target.js";
import {
  clip,
  formatShortDate,
  isPresignParam,
  malformed,
  parseAmzDate,
  parseAuthorizationHeader,
  parseExpires,
  parsePresignedQuery,
  SIGV4_ALGORITHM,
  singleParam,
} from "../../../src/api/auth/sigv4-authorization.js";
import { assertDomainError } from "../../helpers/assert-domain-error.js";

const SIG = "0123456789abcdef".repeat(4);
const CREDENTIAL = "AKIAEXAMPLE/20240102/us-east-1/s3/aws4_request";
const header = (credential = CREDENTIAL, signedHeaders = "host;x-amz-date", signature = SIG) =>
  `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
const q = (pairs: [string, string][]): QueryParam[] => pairs.map(([name, value]) => ({ name, value }));

/** Asserts the MissingSecurityHeader "malformed" error with `detail`. */
function assertMalformed(fn: () => unknown, detail: string | RegExp): void {
  assertDomainError(
    fn,
    "MissingSecurityHeader",
    typeof detail === "string" ? `The authorization is malformed: ${detail}.` : detail,
  );
}

describe("parseAuthorizationHeader", () => {
  it("reads the credential scope, the signed headers and the signature", () => {
    assert.deepEqual(parseAuthorizationHeader(header()), {
      accessKeyId: "AKIAEXAMPLE",
      shortDate: "20240102",
      region: "us-east-1",
      service: "s3",
      signedHeaders: ["host", "x-amz-date"],
      signature: SIG,
    });
  });

  it("takes fields in any order and spacing, lowercases the signature, and ignores fields it does not know", () => {
    const parsed = parseAuthorizationHeader(
      `  AWS4-HMAC-SHA256 Signature=${SIG.toUpperCase()},SignedHeaders=host ,  Credential=${CREDENTIAL}, Extra=1  `,
    );
    assert.equal(parsed.signature, SIG);
    assert.deepEqual(parsed.signedHeaders, ["host"]);
    assert.equal(parsed.accessKeyId, "AKIAEXAMPLE");
  });

  it("keeps an access key id that contains /, taking the scope from the end", () => {
    assert.equal(parseAuthorizationHeader(header("AK/ID/20240102/us-east-1/s3/aws4_request")).accessKeyId, "AK/ID");
  });

  it("refuses another algorithm, or none", () => {
    assertMalformed(() => parseAuthorizationHeader(""), 'the algorithm must be AWS4-HMAC-SHA256, not ""');
    assertMalformed(
      () => parseAuthorizationHeader(`AWS4-HMAC-SHA1 Credential=${CREDENTIAL}`),
      'the algorithm must be AWS4-HMAC-SHA256, not "AWS4-HMAC-SHA1"',
    );
    assertMalformed(
      () => parseAuthorizationHeader("OSS AKID:c2lnbmF0dXJl"),
      'the algorithm must be AWS4-HMAC-SHA256, not "OSS"',
    );
    assertMalformed(
      () => parseAuthorizationHeader(`${"A".repeat(100)} x=y`),
      `the algorithm must be AWS4-HMAC-SHA256, not "${"A".repeat(64)}..."`,
    );
  });

  it("says what is missing when the algorithm stands alone", () => {
    assertMalformed(() => parseAuthorizationHeader("AWS4-HMAC-SHA256"), "Credential is missing");
    assertMalformed(() => parseAuthorizationHeader("AWS4-HMAC-SHA256   "), "Credential is missing");
  });

  it("refuses a field without =, a repeated field and a missing one", () => {
    assertMalformed(() => parseAuthorizationHeader(`${header()}, garbage`), '"garbage" is not a name=value pair');
    assertMalformed(
      () => parseAuthorizationHeader(`${header()}, Signature=${SIG}`),
      "Signature appears more than once",
    );
    assertMalformed(
      () => parseAuthorizationHeader(`AWS4-HMAC-SHA256 SignedHeaders=host, Signature=${SIG}`),
      "Credential is missing",
    );
    assertMalformed(
      () => parseAuthorizationHeader(`AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, Signature=${SIG}`),
      "SignedHeaders is missing",
    );
    assertMalformed(
      () => parseAuthorizationHeader(`AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=host`),
      "Signature is missing",
    );
  });

  it("refuses a credential that is not <key>/<yyyymmdd>/<region>/<service>/aws4_request", () => {
    const shape = "Credential must be <access key>/<yyyymmdd>/<region>/<service>/aws4_request";
    assertMalformed(() => parseAuthorizationHeader(header("AKIAEXAMPLE/20240102/us-east-1/s3")), shape);
    assertMalformed(() => parseAuthorizationHeader(header("AKIAEXAMPLE/20240102/us-east-1/s3/aws5_request")), shape);
    assertMalformed(
      () => parseAuthorizationHeader(header("/20240102/us-east-1/s3/aws4_request")),
      "the access key id is empty",
    );
    assertMalformed(
      () => parseAuthorizationHeader(header("AK/2024-01-02/us-east-1/s3/aws4_request")),
      '"2024-01-02" is not a yyyymmdd date',
    );
    assertMalformed(
      () => parseAuthorizationHeader(header("AK/20240102/US-EAST-1/s3/aws4_request")),
      '"US-EAST-1" is not a region name',
    );
    assertMalformed(
      () => parseAuthorizationHeader(header("AK/20240102/../../etc/passwd/aws4_request")),
      '".." is not a yyyymmdd date',
    );
    assertMalformed(
      () => parseAuthorizationHeader(header(`AK/20240102/${"r".repeat(65)}/s3/aws4_request`)),
      /is not a region name/,
    );
    assertMalformed(
      () => parseAuthorizationHeader(header("AK/20240102/us-east-1/s3 control/aws4_request")),
      '"s3 control" is not a service name',
    );
  });

  it("refuses signed header names that are not lowercase tokens, an empty list and a repeated name", () => {
    const names = "SignedHeaders must be lowercase header names separated by ';'";
    for (const list of ["", "Host", "host;", "host;;x-amz-date", "host x", "x-amz-date;Host"]) {
      assertMalformed(() => parseAuthorizationHeader(header(CREDENTIAL, list)), names);
    }
    assertMalformed(
      () => parseAuthorizationHeader(header(CREDENTIAL, "host;host")),
      "SignedHeaders names a header twice",
    );
  });

  it("refuses a signature that is not 64 hexadecimal digits", () => {
    for (const signature of ["", SIG.slice(1), `${SIG}0`, `${SIG.slice(1)}g`]) {
      assertMalformed(
        () => parseAuthorizationHeader(header(CREDENTIAL, "host", signature)),
        "Signature must be 64 hexadecimal digits",
      );
    }
  });
});

describe("parsePresignedQuery", () => {
  const presigned = (more: [string, string][] = []) =>
    q([
      ["X-Amz-Algorithm", SIGV4_ALGORITHM],
      ["X-Amz-Credential", CREDENTIAL],
      ["X-Amz-SignedHeaders", "host"],
      ["X-Amz-Signature", SIG],
      ...more,
    ]);

  it("reads the same fields from the X-Amz-* parameters", () => {
    assert.deepEqual(parsePresignedQuery(presigned()), {
      accessKeyId: "AKIAEXAMPLE",
      shortDate: "20240102",
      region: "us-east-1",
      service: "s3",
      signedHeaders: ["host"],
      signature: SIG,
    });
  });

  it("refuses a missing or other algorithm, a repeated parameter and a missing field", () => {
    assertMalformed(
      () => parsePresignedQuery(presigned().filter((p) => p.name !== "X-Amz-Algorithm")),
      'X-Amz-Algorithm must be AWS4-HMAC-SHA256, not ""',
    );
    assertMalformed(
      () => parsePresignedQuery(q([["X-Amz-Algorithm", "AWS4-HMAC-SHA1"]])),
      'X-Amz-Algorithm must be AWS4-HMAC-SHA256, not "AWS4-HMAC-SHA1"',
    );
    assertMalformed(
      () => parsePresignedQuery(presigned([["X-Amz-Signature", SIG]])),
      "X-Amz-Signature appears more than once",
    );
    assertMalformed(
      () => parsePresignedQuery(presigned().filter((p) => p.name !== "X-Amz-Credential")),
      "Credential is missing",
    );
    // Names are matched exactly, as AWS does: a lowercase spelling is not the parameter.
    assertMalformed(
      () => parsePresignedQuery(presigned().map((p) => ({ ...p, name: p.name.toLowerCase() }))),
      'X-Amz-Algorithm must be AWS4-HMAC-SHA256, not ""',
    );
  });
});

describe("parseAmzDate and formatShortDate", () => {
  it("reads yyyymmddTHHMMSSZ as UTC", () => {
    assert.equal(parseAmzDate("20240102T030405Z", "X-Amz-Date").toISOString(), "2024-01-02T03:04:05.000Z");
    assert.equal(parseAmzDate("20240229T235959Z", "X-Amz-Date").toISOString(), "2024-02-29T23:59:59.000Z");
    assert.equal(formatShortDate(new Date("2024-01-02T23:59:59.999Z")), "20240102");
  });

  it("refuses other forms and impossible dates, naming the field", () => {
    for (const value of [
      "",
      "2024-01-02T03:04:05Z",
      "20240102T030405",
      "20240102t030405z",
      "20240102T030405.000Z",
      "20230229T000000Z",
      "20240132T000000Z",
      "20240102T240000Z",
      "20240102T236000Z",
      "20240102T030460Z",
      "00000101T000000Z",
    ]) {
      assertMalformed(
        () => parseAmzDate(value, "X-Amz-Date"),
        `X-Amz-Date must be a time such as 20240102T030405Z, not "${value}"`,
      );
    }
  });
});

describe("parseExpires", () => {
  it("accepts 1 to 604800 seconds (seven days)", () => {
    assert.equal(parseExpires("1"), 1);
    assert.equal(parseExpires("0000300"), 300);
    assert.equal(parseExpires("604800"), 604800);
  });

  it("refuses what is not a number of seconds, and what is out of range", () => {
    for (const value of [undefined, "", "-1", "1.5", "1e3", " 60", "0x10", "12345678"]) {
      assertMalformed(() => parseExpires(value), "X-Amz-Expires must be a number of seconds");
    }
    for (const value of ["0", "604801", "9999999"]) {
      assertMalformed(() => parseExpires(value), "X-Amz-Expires must be between 1 and 604800 seconds");
    }
  });
});

describe("the small helpers", () => {
  it("names the presign parameters exactly", () => {
    for (const name of [
      "X-Amz-Algorithm",
      "X-Amz-Credential",
      "X-Amz-Date",
      "X-Amz-Expires",
      "X-Amz-SignedHeaders",
      "X-Amz-Signature",
    ]) {
      assert.equal(isPresignParam(name), true, name);
    }
    for (const name of ["x-amz-signature", "X-Amz-Security-Token", "X-Amz-Content-Sha256", ""]) {
      assert.equal(isPresignParam(name), false, name);
    }
  });

  it("reads one query parameter, refusing it repeated", () => {
    assert.equal(singleParam(q([["a", "1"]]), "a"), "1");
    assert.equal(singleParam(q([["a", "1"]]), "b"), undefined);
    assert.equal(singleParam(q([["a", ""]]), "a"), "");
    assertMalformed(
      () =>
        singleParam(
          q([
            ["a", "1"],
            ["a", "1"],
          ]),
          "a",
        ),
      "a appears more than once",
    );
  });

  it("clips values at 64 characters, and words the malformed error", () => {
    assert.equal(clip("x".repeat(64)), "x".repeat(64));
    assert.equal(clip("x".repeat(65)), `${"x".repeat(64)}...`);
    const error = malformed("something");
    assert.equal(error.kind, "MissingSecurityHeader");
    assert.equal(error.message, "The authorization is malformed: something.");
  });
});
