/**
 * COS signature verification against signatures made by the official SDK (cos-nodejs-sdk-v5).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import COS from "cos-nodejs-sdk-v5";
import { StaticAccountRegistry } from "../../../src/accounts/types.js";
import {
  type CosSignatureInput,
  type CosSignatureOptions,
  cosEncode,
  verifyCosRequest,
  verifyCosSignature,
} from "../../../src/api/auth/cos-signature.js";
import type { DomainErrorKind } from "../../../src/domain/errors.js";
import { assertDomainError } from "../../helpers/assert-domain-error.js";

const APPID = "1250000000";
const KEY = { accessKeyId: "AKIDexampleexampleexample01", secretAccessKey: "exampleSecretKey+/=0123456789" };
const OTHER = { accessKeyId: "AKIDotherotherotherother02", secretAccessKey: "otherSecret" };
const accounts = new StaticAccountRegistry([
  { id: APPID, keys: [KEY], buckets: ["*"] },
  { id: "1250000001", keys: [OTHER], buckets: ["*"] },
]);

const T0 = 1576812701;
const KEY_TIME = `${T0};${T0 + 900}`;
const NOW: CosSignatureOptions = { now: new Date((T0 + 10) * 1000) };
const HOST = "100000000001.cos-control.ap-chengdu.myqcloud.com";

type Query = Record<string, string | string[]>;

interface Signed {
  method: string;
  pathname: string;
  query?: Query;
  headers?: Record<string, string>;
  key?: typeof KEY;
  keyTime?: string;
}

/** The Authorization header the official SDK computes for a request. */
function sdkAuthorization(s: Signed): string {
  return COS.getAuthorization({
    SecretId: (s.key ?? KEY).accessKeyId,
    SecretKey: (s.key ?? KEY).secretAccessKey,
    Method: s.method as COS.Method,
    Pathname: s.pathname,
    Query: (s.query ?? {}) as Record<string, string>,
    Headers: s.headers ?? {},
    KeyTime: s.keyTime ?? KEY_TIME,
  });
}

/** The query as a client would put it on the wire: RFC 3986 escapes, repeated keys for arrays. */
function wireQuery(query: Query = {}, encode: (s: string) => string = encodeURIComponent): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    for (const value of Array.isArray(v) ? v : [v]) parts.push(`${encode(k)}=${encode(value)}`);
  }
  return parts.join("&");
}

/** A request as the server sees it: lowercased header names, the Authorization header added. */
function request(s: Signed, overrides: Partial<CosSignatureInput> = {}, wire?: string): CosSignatureInput {
  const q = wire ?? wireQuery(s.query);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.headers ?? {})) headers[k.toLowerCase()] = v;
  headers.authorization = sdkAuthorization(s);
  return {
    method: s.method,
    url: encodeURI(s.pathname) + (q ? `?${q}` : ""),
    headers,
    ...overrides,
  };
}

const baseHeaders = { Host: HOST, "x-cos-appid": APPID, Date: "Fri, 20 Dec 2019 03:31:41 GMT" };

function rejects(input: CosSignatureInput, kind: DomainErrorKind, message?: RegExp, options = NOW): void {
  assertDomainError(() => verifyCosSignature(input, accounts, options), kind, message);
}

describe("COS signature: valid SDK signatures", () => {
  const valid: Record<string, Signed> = {
    "GET /jobs without a query": { method: "GET", pathname: "/jobs", headers: baseHeaders },
    "GET /jobs?maxResults=2 (seed 002 example)": {
      method: "GET",
      pathname: "/jobs",
      query: { maxResults: "2" },
      headers: baseHeaders,
    },
    "ListJobs with jobStatuses=Active,Complete and nextToken": {
      method: "GET",
      pathname: "/jobs",
      query: { jobStatuses: "Active,Complete", nextToken: "066d919e-49b9-429e-b844-e17ea7b16421", maxResults: "1000" },
      headers: baseHeaders,
    },
    DescribeJob: { method: "GET", pathname: "/jobs/53dc6228-c50b-46f7-8ad7-65e7159f1aae", headers: baseHeaders },
    "CreateJob with body headers": {
      method: "POST",
      pathname: "/jobs",
      headers: {
        ...baseHeaders,
        "Content-Type": "application/xml",
        "Content-Length": "1056",
        "Content-MD5": "hHcgq5mu8s0YP4WTGiQ+uA==",
      },
    },
    UpdateJobPriority: {
      method: "POST",
      pathname: "/jobs/53dc6228-c50b-46f7-8ad7-65e7159f1aae/priority",
      query: { priority: "5" },
      headers: { ...baseHeaders, "Content-Length": "0" },
    },
    "UpdateJobStatus with spaces, unicode and reserved characters": {
      method: "POST",
      pathname: "/jobs/53dc6228-c50b-46f7-8ad7-65e7159f1aae/status",
      query: { requestedJobStatus: "Cancelled", statusUpdateReason: "no longer needed – 取消 ☃ (ok)!*'~ a+b&c=d/é" },
      headers: baseHeaders,
    },
    DeleteJob: { method: "DELETE", pathname: "/jobs/53dc6228-c50b-46f7-8ad7-65e7159f1aae", headers: baseHeaders },
    "a query parameter with an empty value": {
      method: "GET",
      pathname: "/jobs",
      query: { nextToken: "" },
      headers: baseHeaders,
    },
    "no signed headers at all": { method: "GET", pathname: "/jobs" },
    "a path with spaces and unicode": { method: "GET", pathname: "/jobs/a b/é", headers: baseHeaders },
    "query names whose encoded order differs from the SDK's order": {
      method: "GET",
      pathname: "/jobs",
      query: { az: "1", aé: "2", Zb: "3" },
      headers: baseHeaders,
    },
  };
  for (const [name, s] of Object.entries(valid)) {
    it(`accepts ${name}`, () => {
      assert.equal(verifyCosSignature(request(s), accounts, NOW).id, APPID);
    });
  }

  it("accepts the query encoded with + for spaces and raw reserved characters", () => {
    const s = valid["UpdateJobStatus with spaces, unicode and reserved characters"]!;
    const plusEncoded = new URLSearchParams(s.query as Record<string, string>).toString();
    assert.ok(plusEncoded.includes("+"));
    assert.equal(verifyCosSignature(request(s, {}, plusEncoded), accounts, NOW).id, APPID);
    const cosEncoded = wireQuery(s.query, cosEncode);
    assert.equal(verifyCosSignature(request(s, {}, cosEncoded), accounts, NOW).id, APPID);
    const rawComma = "jobStatuses=Active,Complete&nextToken=066d919e-49b9-429e-b844-e17ea7b16421&maxResults=1000";
    const list = valid["ListJobs with jobStatuses=Active,Complete and nextToken"]!;
    assert.equal(verifyCosSignature(request(list, {}, rawComma), accounts, NOW).id, APPID);
  });

  it("accepts a repeated query parameter signed as the SDK signs an array", () => {
    const s: Signed = {
      method: "GET",
      pathname: "/jobs",
      query: { jobStatuses: ["Active", "Complete"] },
      headers: baseHeaders,
    };
    const input = request(s);
    assert.ok(input.url.includes("jobStatuses=Active&jobStatuses=Complete"));
    const verified = verifyCosRequest(input, accounts, NOW);
    assert.deepEqual(verified.target.query, [
      { name: "jobStatuses", value: "Active" },
      { name: "jobStatuses", value: "Complete" },
    ]);
  });

  it("accepts the signature in the query string, as a presigned URL made by the SDK carries it", () => {
    const cos = new COS({ SecretId: KEY.accessKeyId, SecretKey: KEY.secretAccessKey });
    const url = cos.getObjectUrl(
      {
        Bucket: "examplebucket-1250000000",
        Region: "ap-chengdu",
        Key: "jobs",
        Sign: true,
        Query: { maxResults: "2", jobStatuses: "Active,Complete" },
      } as COS.GetObjectUrlParams,
      () => {},
    ) as unknown as string;
    const u = new URL(url);
    assert.ok(u.searchParams.has("q-signature"));
    const input = { method: "GET", url: u.pathname + u.search, headers: { host: u.host } };
    assert.equal(verifyCosSignature(input, accounts).id, APPID);
    rejects({ ...input, headers: { host: "evil.example.com" } }, "SignatureDoesNotMatch", undefined, {});
  });

  it("accepts signed header names in any case", () => {
    const s: Signed = { method: "GET", pathname: "/jobs", headers: { HOST: HOST, "X-COS-APPID": APPID } };
    assert.equal(verifyCosSignature(request(s), accounts, NOW).id, APPID);
  });

  it("returns the signing account for each key", () => {
    const s: Signed = { method: "GET", pathname: "/jobs", headers: baseHeaders, key: OTHER };
    assert.equal(verifyCosSignature(request(s), accounts, NOW).id, "1250000001");
  });

  it("accepts a request inside the clock-skew allowance and honours a configured allowance", () => {
    const s: Signed = { method: "GET", pathname: "/jobs", headers: baseHeaders };
    assert.ok(verifyCosSignature(request(s), accounts, { now: new Date((T0 - 30) * 1000) }));
    assert.ok(verifyCosSignature(request(s), accounts, { now: new Date((T0 + 900 + 30) * 1000) }));
    rejects(request(s), "ExpiredToken", undefined, { now: new Date((T0 - 30) * 1000), clockSkewSeconds: 0 });
  });
});

describe("COS signature: rejections", () => {
  const s: Signed = {
    method: "POST",
    pathname: "/jobs/53dc6228-c50b-46f7-8ad7-65e7159f1aae/status",
    query: { requestedJobStatus: "Cancelled", statusUpdateReason: "done" },
    headers: { ...baseHeaders, "Content-MD5": "hHcgq5mu8s0YP4WTGiQ+uA==", "Content-Type": "application/xml" },
  };
  const good = request(s);

  it("rejects a request without a signature", () => {
    const { authorization: _a, ...headers } = good.headers as Record<string, string>;
    rejects({ ...good, headers }, "MissingSecurityHeader", /Access Denied/);
    rejects({ ...good, headers: { ...headers, authorization: "  " } }, "MissingSecurityHeader");
  });

  it("rejects a tampered path", () => {
    rejects({ ...good, url: good.url.replace("/status", "/priority") }, "SignatureDoesNotMatch");
    rejects({ ...good, url: good.url.replace("53dc6228", "53dc6229") }, "SignatureDoesNotMatch");
  });

  it("rejects a tampered method", () => rejects({ ...good, method: "DELETE" }, "SignatureDoesNotMatch"));

  it("rejects a tampered query value", () => {
    rejects({ ...good, url: good.url.replace("Cancelled", "Ready") }, "SignatureDoesNotMatch");
    rejects(
      { ...good, url: good.url.replace("statusUpdateReason=done", "statusUpdateReason=Done") },
      "SignatureDoesNotMatch",
    );
  });

  it("rejects an added query parameter that is not signed", () => {
    rejects({ ...good, url: `${good.url}&priority=1` }, "AccessDenied", /"priority" is not covered/);
    assert.ok(
      verifyCosSignature({ ...good, url: `${good.url}&priority=1` }, accounts, {
        ...NOW,
        allowUnsignedQueryParams: true,
      }),
    );
  });

  it("rejects a signed query parameter that is missing", () => {
    rejects(
      { ...good, url: good.url.replace("&statusUpdateReason=done", "") },
      "SignatureDoesNotMatch",
      /statusupdatereason/,
    );
  });

  it("rejects a repeated parameter whose values differ from the signed one", () => {
    rejects({ ...good, url: `${good.url}&requestedJobStatus=Ready` }, "SignatureDoesNotMatch");
  });

  it("rejects tampered signed headers", () => {
    const h = good.headers as Record<string, string>;
    rejects({ ...good, headers: { ...h, "x-cos-appid": "1250000001" } }, "SignatureDoesNotMatch");
    rejects({ ...good, headers: { ...h, "content-md5": "1B2M2Y8AsgTpgAmY7PhCfg==" } }, "SignatureDoesNotMatch");
    rejects({ ...good, headers: { ...h, host: "127.0.0.1:8080" } }, "SignatureDoesNotMatch");
    rejects({ ...good, headers: { ...h, "content-type": "text/plain" } }, "SignatureDoesNotMatch");
  });

  it("rejects a request missing a signed header", () => {
    const { "content-md5": _m, ...headers } = good.headers as Record<string, string>;
    rejects({ ...good, headers }, "SignatureDoesNotMatch", /content-md5/);
  });

  it("ignores unsigned headers", () => {
    assert.ok(
      verifyCosSignature({ ...good, headers: { ...good.headers, "user-agent": "x", "x-other": "y" } }, accounts, NOW),
    );
  });

  it("rejects the wrong secret and an unknown key", () => {
    rejects(
      request({ ...s, key: { accessKeyId: KEY.accessKeyId, secretAccessKey: "wrong" } }),
      "SignatureDoesNotMatch",
    );
    rejects(request({ ...s, key: { accessKeyId: "AKIDnobody", secretAccessKey: "x" } }), "InvalidAccessKeyId");
  });

  it("rejects a request signed with another account's key for a signature of this one", () => {
    const auth = (good.headers as Record<string, string>).authorization!.replace(KEY.accessKeyId, OTHER.accessKeyId);
    rejects({ ...good, headers: { ...good.headers, authorization: auth } }, "SignatureDoesNotMatch");
  });

  it("rejects an expired window and a window not yet valid", () => {
    rejects(good, "ExpiredToken", /expired/, { now: new Date((T0 + 900 + 61) * 1000) });
    rejects(good, "ExpiredToken", /not valid before/, { now: new Date((T0 - 61) * 1000) });
    rejects(request({ ...s, keyTime: `${T0 - 7200};${T0 - 3600}` }), "ExpiredToken");
    rejects(request({ ...s, keyTime: `${T0 + 3600};${T0 + 7200}` }), "ExpiredToken");
  });

  it("checks q-key-time as well as q-sign-time", () => {
    const h = good.headers as Record<string, string>;
    const auth = h.authorization!.replace(/q-key-time=[^&]*/, `q-key-time=${T0 - 7200};${T0 - 3600}`);
    rejects({ ...good, headers: { ...h, authorization: auth } }, "ExpiredToken");
  });

  it("rejects a widened time window (the window is signed)", () => {
    const h = good.headers as Record<string, string>;
    const auth = h.authorization!.replace(/q-sign-time=[^&]*/, `q-sign-time=${T0};${T0 + 3600}`);
    rejects({ ...good, headers: { ...h, authorization: auth } }, "SignatureDoesNotMatch");
  });

  it("rejects a header list that drops a signed header", () => {
    const h = good.headers as Record<string, string>;
    assert.ok(h.authorization!.includes("content-type;"));
    const auth = h.authorization!.replace("content-type;", "");
    rejects({ ...good, headers: { ...h, authorization: auth } }, "SignatureDoesNotMatch");
  });

  const malformed: Record<string, (auth: string) => string> = {
    "a missing q-signature": (a) => a.replace(/&q-signature=[0-9a-f]+/, ""),
    "a missing q-ak": (a) => a.replace(/q-ak=[^&]*&/, ""),
    "algorithm sha256": (a) => a.replace("q-sign-algorithm=sha1", "q-sign-algorithm=sha256"),
    "a non-hex signature": (a) => a.replace(/q-signature=[0-9a-f]{40}/, `q-signature=${"z".repeat(40)}`),
    "a short signature": (a) => a.replace(/q-signature=[0-9a-f]{40}/, "q-signature=abc"),
    "a reversed time window": (a) => a.replace(/q-sign-time=[^&]*/, `q-sign-time=${T0 + 900};${T0}`),
    "a non-numeric time": (a) => a.replace(/q-sign-time=[^&]*/, "q-sign-time=now;later"),
    "a repeated field": (a) => `${a}&q-ak=${KEY.accessKeyId}`,
    "uppercase list names": (a) => a.replace("q-header-list=", "q-header-list=Content-Md5;"),
    "an empty name in a list": (a) => a.replace("q-header-list=", "q-header-list=;"),
    garbage: () => "Bearer abc",
  };
  for (const [name, change] of Object.entries(malformed)) {
    it(`rejects ${name} as a malformed signature`, () => {
      const h = good.headers as Record<string, string>;
      rejects(
        { ...good, headers: { ...h, authorization: change(h.authorization!) } },
        "MissingSecurityHeader",
        /malformed|no COS signature/,
      );
    });
  }

  it("can require a signed Host", () => {
    const strict = { ...NOW, requireSignedHost: true };
    assert.ok(verifyCosSignature(good, accounts, strict));
    const noHost = request({ method: "GET", pathname: "/jobs", headers: { "x-cos-appid": APPID } });
    rejects(noHost, "AccessDenied", /Host header must be signed/, strict);
    assert.ok(verifyCosSignature(noHost, accounts, NOW));
  });

  it("rejects a query string that is not valid percent-encoding", () => {
    rejects({ ...good, url: `${good.url}&x=%E0%A4%A` }, "InvalidArgument");
  });

  it("compares signatures case-insensitively in hex", () => {
    const h = good.headers as Record<string, string>;
    const auth = h.authorization!.replace(
      /q-signature=([0-9a-f]{40})/,
      (_m, sig: string) => `q-signature=${sig.toUpperCase()}`,
    );
    assert.ok(verifyCosSignature({ ...good, headers: { ...h, authorization: auth } }, accounts, NOW));
  });
});

describe("COS signature: lifetime cap and signed Content-MD5", () => {
  const get: Signed = { method: "GET", pathname: "/jobs", headers: baseHeaders };

  it("accepts the lifetimes the official SDKs sign with by default", () => {
    // cos-nodejs-sdk-v5 getAuth: now-1 .. now+900; Go and Java: one hour; Python: now-60 .. now+10000.
    for (const keyTime of [`${T0 - 1};${T0 + 900}`, `${T0};${T0 + 3600}`, `${T0 - 60};${T0 + 10000}`]) {
      const verified = verifyCosRequest(request({ ...get, keyTime }), accounts, NOW);
      assert.equal(verified.account.id, APPID, keyTime);
    }
  });

  it("refuses a ten-year window, and honours a configured cap", () => {
    const tenYears = request({ ...get, keyTime: `${T0 - 60};${T0 + 10 * 365 * 86400}` });
    rejects(tenYears, "AccessDenied", /spans 315360060 seconds; this server accepts at most 86400/);
    const day = request({ ...get, keyTime: `${T0};${T0 + 86400}` });
    assert.ok(verifyCosSignature(day, accounts, NOW));
    rejects(day, "AccessDenied", /at most 3600/, { ...NOW, maxKeyTimeSeconds: 3600 });
    assert.ok(verifyCosSignature(tenYears, accounts, { ...NOW, maxKeyTimeSeconds: 11 * 365 * 86400 }));
  });

  it("says until when a signature is valid: its shorter window's end plus the skew allowance", () => {
    const verified = verifyCosRequest(request(get), accounts, NOW);
    assert.equal(verified.validUntil, (T0 + 900 + 60 + 1) * 1000);
    assert.match(verified.signature, /^[0-9a-f]{40}$/);
  });

  it("refuses a Content-MD5 header the signature does not list", () => {
    const unsigned = request(get);
    (unsigned.headers as Record<string, string>)["content-md5"] = "1B2M2Y8AsgTpgAmY7PhCfg==";
    rejects(unsigned, "AccessDenied", /Content-MD5 header must be signed/);
    assert.ok(verifyCosSignature(unsigned, accounts, { ...NOW, requireSignedContentMd5: false }));
    const signed = request({ ...get, headers: { ...baseHeaders, "Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg==" } });
    assert.ok(verifyCosSignature(signed, accounts, NOW));
  });
});
