/**
 * The lean path's SigV4 signer (sigv4.ts) makes exactly the headers @smithy/signature-v4 makes for the same
 * request, the way signed-requests.ts used to call it (the path signed as sent, the payload hash from its
 * header): every header, the Authorization header byte for byte. s3rver accepting what it signs is covered by
 * signed-requests.test.ts and the Ceph tier.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { encodeKey } from "../../../src/storage/s3/signed-requests.js";
import { type SigningCredentials, SigV4Signer } from "../../../src/storage/s3/sigv4.js";

const EMPTY_PAYLOAD_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const KEYS: SigningCredentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};

async function smithyHeaders(
  credentials: SigningCredentials,
  region: string,
  service: string,
  request: { method: string; path: string; query: Record<string, string>; headers: Record<string, string> },
  date: Date,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    credentials,
    region,
    service,
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: false,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    { ...request, protocol: "http:", hostname: "127.0.0.1", port: 9000, query: { ...request.query } },
    { signingDate: date },
  );
  return signed.headers as Record<string, string>;
}

interface Case {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
}

const REQUESTS: readonly Case[] = [
  {
    name: "a copy with an encoded key and source",
    method: "PUT",
    path: `/target/${encodeKey("dir/ünïcode key (1)*!'.bin")}`,
    query: {},
    headers: { "x-amz-copy-source": "source/dir/%C3%BCn%C3%AFcode%20key%20%281%29%2A%21%27.bin" },
  },
  {
    name: "a delete of a version, query names and values to encode and sort",
    method: "DELETE",
    path: "/bucket/obj",
    query: { versionId: "3/L4kqtJl40Nr8X8gdRQBpUMLUo+a=b", "b c": "x y", a: "" },
    headers: {},
  },
  {
    name: "headers with blanks, line breaks, metadata and unsignable names",
    method: "PUT",
    path: "/bucket/k",
    query: {},
    headers: {
      "x-amz-copy-source": "src/k",
      "x-amz-meta-note": "  two   spaces\tand a\r\nbreak  ",
      "x-amz-metadata-directive": "REPLACE",
      "content-type": "text/plain; charset=utf-8",
      "cache-control": "no-cache",
      "user-agent": "objbatch",
      "proxy-authorization": "x",
      "x-amz-tagging": "a=1&b=two%20words",
    },
  },
  {
    name: "headers the signature sets itself, given by the caller",
    method: "PUT",
    path: "/bucket/k",
    query: {},
    headers: { "x-amz-copy-source": "src/k", date: "Mon, 01 Jan 2024 00:00:00 GMT", "x-amz-date": "20000101T000000Z" },
  },
];

describe("SigV4Signer", () => {
  for (const request of REQUESTS) {
    it(`signs ${request.name} as @smithy/signature-v4 does`, async () => {
      const date = new Date("2026-12-07T18:59:07.123Z");
      const full = {
        method: request.method,
        path: request.path,
        query: request.query,
        headers: { ...request.headers, host: "127.0.0.1:9000", "x-amz-content-sha256": EMPTY_PAYLOAD_SHA256 },
      };
      const mine = await new SigV4Signer("us-east-1", "s3", async () => KEYS).sign(full, date);
      const theirs = await smithyHeaders(KEYS, "us-east-1", "s3", full, date);
      assert.deepEqual(mine, theirs);
      assert.match(
        mine.authorization!,
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261207\/us-east-1\/s3\/aws4_request, /,
      );
      assert.equal(mine["x-amz-date"], "20261207T185907Z");
    });
  }

  it("signs with a session token, another region, and new keys when the provider hands them out", async () => {
    let credentials: SigningCredentials = { ...KEYS, sessionToken: "FwoGZXIvYXdzEXAMPLETOKEN" };
    const signer = new SigV4Signer("eu-west-3", "s3", async () => credentials);
    const request = {
      method: "PUT",
      path: "/b/k",
      query: {},
      headers: { "x-amz-copy-source": "a/k", host: "b.example", "x-amz-content-sha256": EMPTY_PAYLOAD_SHA256 },
    };
    const date = new Date("2026-12-31T23:59:59.999Z");
    const first = await signer.sign(request, date);
    assert.deepEqual(first, await smithyHeaders(credentials, "eu-west-3", "s3", request, date));
    assert.equal(first["x-amz-security-token"], "FwoGZXIvYXdzEXAMPLETOKEN");

    // Rotated keys, then the next day: the cached signing key must not outlive either.
    credentials = { accessKeyId: "AKIDOTHER", secretAccessKey: "another-secret" };
    const rotated = await signer.sign(request, date);
    assert.deepEqual(rotated, await smithyHeaders(credentials, "eu-west-3", "s3", request, date));
    assert.equal(rotated["x-amz-security-token"], undefined);
    const nextDay = new Date("2027-01-01T00:00:01Z");
    assert.deepEqual(
      await signer.sign(request, nextDay),
      await smithyHeaders(credentials, "eu-west-3", "s3", request, nextDay),
    );
  });
});
