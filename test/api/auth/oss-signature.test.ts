/**
 * OSS request signatures against a running objbatch (startTestApp, real HTTP), every signature made by the
 * official ali-oss package: its offline signer (signUtils.authorization / authorizationV4) and its own client
 * (client.request). Good signatures pass; tampered, expired, unknown-key and malformed ones are refused with
 * OSS's own codes. A few pure checks of the time parser and V1 canonical resource sit at the end.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { canonicalResource } from "../../../src/api/auth/oss-signature.js";
import { parseOssTime } from "../../../src/api/auth/oss-signature-common.js";
import { parseOssV4Authorization } from "../../../src/api/auth/oss-signature-v4.js";
import { startTestApp, type TestApp } from "../../helpers/app.js";
import { assertDomainError } from "../../helpers/assert-domain-error.js";
import {
  type OssCall,
  type OssCredentials,
  type OssResponse,
  ossCreateJobBody,
  ossRequest,
  ossSdkRequest,
  ROOT_OSS,
} from "../../helpers/oss-client.js";

const SECOND: OssCredentials = { accessKeyId: "LTAIsecond0000000001", accessKeySecret: "second-secret" };
const MINUTE = 60_000;

let app: TestApp;
const call = (c: OssCall) => ossRequest(app.url, c);

function assertOssError(r: OssResponse, status: number, code: string, ec?: string, message?: RegExp): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.xml?.Error?.Code, code, r.text);
  assert.equal(r.xml.Error.RequestId, r.headers.get("x-oss-request-id"));
  if (ec !== undefined) assert.equal(r.xml.Error.EC, ec, r.text);
  if (message !== undefined) assert.match(r.xml.Error.Message, message);
}

before(async () => {
  app = await startTestApp({
    runEngine: false,
    configFile: {
      accounts: [
        { id: "1250000021", accessKeyId: SECOND.accessKeyId, secretAccessKey: SECOND.accessKeySecret, buckets: ["*"] },
      ],
    },
  });
});

after(() => app.dispose());

for (const v4 of [false, true]) {
  const scheme = v4 ? "V4" : "V1";

  describe(`OSS ${scheme} signatures`, () => {
    it("accepts ali-oss's signatures, offline and through its client, for reads and writes", async () => {
      const list = await call({ subres: "batchJob", query: { batchJobStatuses: "New | Active", "max-keys": "5" }, v4 });
      assert.equal(list.status, 200, list.text);
      const created = await call({
        method: "POST",
        subres: "batchJob",
        body: ossCreateJobBody({ token: `sig-${scheme}` }),
        v4,
      });
      assert.equal(created.status, 200, created.text);
      const viaSdk = await ossSdkRequest(app.url, {
        method: "GET",
        subres: "batchJob",
        query: { "max-keys": "1" },
        v4,
      });
      assert.equal(viaSdk.status, 200, viaSdk.text);
      const sdkCreate = await ossSdkRequest(app.url, {
        method: "POST",
        subres: "batchJob",
        body: ossCreateJobBody({
          token: `sdk-sig-${scheme}`,
          description: "标签 & <escaped>".replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
        }),
        v4,
      });
      assert.equal(sdkCreate.status, 200, sdkCreate.text);
    });

    it("rejects a wrong secret with SignatureDoesNotMatch", async () => {
      const r = await call({ subres: "batchJob", credentials: { ...ROOT_OSS, accessKeySecret: "wrong" }, v4 });
      assertOssError(r, 403, "SignatureDoesNotMatch", "0002-00000040");
    });

    it("rejects an unknown AccessKeyId with InvalidAccessKeyId", async () => {
      const r = await call({
        subres: "batchJob",
        credentials: { accessKeyId: "LTAIunknown", accessKeySecret: "x" },
        v4,
      });
      assertOssError(r, 403, "InvalidAccessKeyId", undefined, /does not exist/);
    });

    it("rejects tampering with what is signed", async () => {
      const tamper = (afterSigning: OssCall["afterSigning"], extra: Partial<OssCall> = {}) =>
        call({ subres: "batchJob", v4, afterSigning, ...extra });
      assertOssError(
        await tamper((url) => {
          url.search = "?batchJobStatus";
        }),
        403,
        "SignatureDoesNotMatch",
      );
      assertOssError(
        await tamper((_url, h) => {
          h["x-oss-meta-added"] = "1";
        }),
        403,
        "SignatureDoesNotMatch",
      );
      assertOssError(
        await tamper((_url, h) => {
          h["x-oss-date"] = v4 ? h["x-oss-date"]!.replace(/\d\dZ$/, "59Z") : new Date(Date.now() - 1000).toUTCString();
        }),
        403,
        "SignatureDoesNotMatch",
      );
      const body = ossCreateJobBody({ token: `tamper-${scheme}` });
      assertOssError(
        await tamper(
          (_url, h) => {
            h["content-type"] = "text/plain";
          },
          { method: "POST", body },
        ),
        403,
        "SignatureDoesNotMatch",
      );
      assertOssError(
        await tamper(
          (_url, h) => {
            h["content-md5"] = createHash("md5").update("other").digest("base64");
          },
          { method: "POST", body },
        ),
        403,
        "SignatureDoesNotMatch",
      );
    });

    it("allows 15 minutes of clock skew either way, and no more", async () => {
      for (const offset of [-14 * MINUTE, 14 * MINUTE]) {
        const r = await call({ subres: "batchJob", date: new Date(Date.now() + offset), v4 });
        assert.equal(r.status, 200, `${offset}: ${r.text}`);
      }
      for (const offset of [-16 * MINUTE, 16 * MINUTE, -24 * 60 * MINUTE]) {
        const r = await call({ subres: "batchJob", date: new Date(Date.now() + offset), v4 });
        assertOssError(r, 403, "RequestTimeTooSkewed", "0002-00000504");
      }
    });

    it("identifies the account by the signer: each key sees its own jobs only", async () => {
      const created = await call({
        method: "POST",
        subres: "batchJob",
        body: ossCreateJobBody({ token: `mine-${scheme}` }),
        credentials: SECOND,
        v4,
      });
      assert.equal(created.status, 200, created.text);
      const jobId = created.xml.CreateJobResult.JobId;
      const own = await call({ subres: "batchJob", query: { batchJobId: jobId }, credentials: SECOND, v4 });
      assert.equal(own.status, 200, own.text);
      assertOssError(await call({ subres: "batchJob", query: { batchJobId: jobId }, v4 }), 404, "NoSuchJob");
    });
  });
}

describe("OSS signatures: what only V4 covers", () => {
  it("V4 covers every query parameter; V1, by design, only the sub-resource", async () => {
    const created = await call({ method: "POST", subres: "batchJob", body: ossCreateJobBody({ token: "scope" }) });
    const jobId = created.xml.CreateJobResult.JobId;
    const change = (url: URL) => url.searchParams.set("batchJobId", "MzRjZGU2NGQ3YTY5NGRhMTkxZmZhYzY5OTM5YTcxYWU=");
    const v4 = await call({ subres: "batchJob", query: { batchJobId: jobId }, v4: true, afterSigning: change });
    assertOssError(v4, 403, "SignatureDoesNotMatch");
    // V1 does not sign batchJobId (OSS's own rule), so the changed request is served, for the same account.
    const v1 = await call({ subres: "batchJob", query: { batchJobId: jobId }, afterSigning: change });
    assertOssError(v1, 404, "NoSuchJob");
  });

  it("V4 with AdditionalHeaders signs the Host header too", async () => {
    const ok = await call({ subres: "batchJob", v4: true, additionalHeaders: ["host"] });
    assert.equal(ok.status, 200, ok.text);
    const moved = await call({
      subres: "batchJob",
      v4: true,
      additionalHeaders: ["host"],
      afterSigning: (url) => {
        url.hostname = "localhost";
      },
    });
    assertOssError(moved, 403, "SignatureDoesNotMatch");
  });

  it("V4 with a signed body hash checks the body against it", async () => {
    const body = ossCreateJobBody({ token: "sha256" });
    const sha = createHash("sha256").update(body).digest("hex");
    const ok = await call({
      method: "POST",
      subres: "batchJob",
      body,
      v4: true,
      headers: { "x-oss-content-sha256": sha },
    });
    assert.equal(ok.status, 200, ok.text);
    const other = ossCreateJobBody({ token: "sha256-other" });
    const bad = await call({
      method: "POST",
      subres: "batchJob",
      body: other,
      v4: true,
      headers: { "x-oss-content-sha256": sha, "content-md5": createHash("md5").update(other).digest("base64") },
    });
    assertOssError(bad, 400, "InvalidDigest", undefined, /x-oss-content-sha256/);
  });

  it("V4 needs the Credential date to be x-oss-date's", async () => {
    const r = await call({
      subres: "batchJob",
      v4: true,
      afterSigning: (_url, h) => {
        h.authorization = h.authorization!.replace(/Credential=([^/]+)\/\d{8}\//, "Credential=$1/20200101/");
      },
    });
    assertOssError(r, 403, "SignatureDoesNotMatch", undefined, /date in the Credential/);
  });
});

describe("OSS signatures: missing and malformed", () => {
  it("refuses anonymous requests, malformed headers and missing or bad dates in OSS form", async () => {
    assertOssError(await call({ subres: "batchJob", unsigned: true }), 403, "AccessDenied", undefined, /Anonymous/);
    const withAuth = (authorization: string) =>
      call({
        subres: "batchJob",
        afterSigning: (_url, h) => {
          h.authorization = authorization;
        },
      });
    assertOssError(
      await withAuth("Basic dXNlcjpwdw=="),
      400,
      "InvalidArgument",
      undefined,
      /Authorization header is invalid/,
    );
    assertOssError(await withAuth("OSS nocolon"), 400, "InvalidArgument", "0002-00000064");
    assertOssError(await withAuth("OSS AK:tooshort"), 400, "InvalidArgument", "0002-00000064");
    assertOssError(await withAuth("OSS4-HMAC-SHA256 Signature=abc"), 400, "InvalidArgument", undefined, /Credential/);
    assertOssError(
      await withAuth(
        `OSS4-HMAC-SHA256 Credential=AK/20250101/cn-hangzhou/s3/aliyun_v4_request,Signature=${"a".repeat(64)}`,
      ),
      400,
      "InvalidArgument",
      undefined,
      /product/,
    );
    const noDate = await call({
      subres: "batchJob",
      afterSigning: (_url, h) => {
        delete h["x-oss-date"];
      },
    });
    assertOssError(noDate, 403, "AccessDenied", undefined, /Date/);
    const badDate = await call({ subres: "batchJob", headers: { "x-oss-date": "yesterday" } });
    assertOssError(badDate, 403, "AccessDenied", "0002-00000505");
  });

  it("signs with the Date header when there is no x-oss-date (OSS's classic V1)", async () => {
    const r = await call({ subres: "batchJob", useDateHeader: true });
    assert.equal(r.status, 200, r.text);
    const stale = await call({ subres: "batchJob", useDateHeader: true, date: new Date(Date.now() - 20 * MINUTE) });
    assertOssError(stale, 403, "RequestTimeTooSkewed");
    assert.equal(r.status, 200, r.text);
  });
});

describe("OSS signature helpers", () => {
  it("parses the two date forms and nothing else", () => {
    assert.equal(parseOssTime("Tue, 20 Dec 2022 08:48:18 GMT"), Date.UTC(2022, 11, 20, 8, 48, 18));
    assert.equal(parseOssTime("20221220T084818Z"), Date.UTC(2022, 11, 20, 8, 48, 18));
    for (const bad of ["2022-12-20T08:48:18Z", "Tue, 31 Feb 2022 08:48:18 GMT", "20221320T084818Z", "", "1671526098"]) {
      assert.equal(parseOssTime(bad), undefined, bad);
    }
  });

  it("builds V1 canonical resources the way ali-oss does", () => {
    assert.equal(canonicalResource("/", []), "/");
    assert.equal(
      canonicalResource("/", [
        { name: "batchJobStatus", value: "" },
        { name: "batchJobId", value: "a b" },
      ]),
      "/?batchJobId=a b&batchJobStatus",
    );
  });

  it("parses V4 Authorization fields and rejects malformed ones", () => {
    assert.deepEqual(
      parseOssV4Authorization(
        `OSS4-HMAC-SHA256 Credential=AK/20250101/cn-hangzhou/oss/aliyun_v4_request, AdditionalHeaders=host;x-a,Signature=${"0".repeat(64)}`,
      ),
      {
        accessKeyId: "AK",
        date: "20250101",
        region: "cn-hangzhou",
        product: "oss",
        additionalHeaders: ["host", "x-a"],
        signature: "0".repeat(64),
      },
    );
    const bad = (fields: string) => () => parseOssV4Authorization(`OSS4-HMAC-SHA256 ${fields}`);
    const sig = `Signature=${"0".repeat(64)}`;
    assertDomainError(bad(sig), "InvalidArgument", /Credential is missing/);
    assertDomainError(bad(`Credential=AK/2025/cn/oss/aliyun_v4_request,${sig}`), "InvalidArgument", /yyyymmdd/);
    assertDomainError(bad(`Credential=AK/20250101/cn/oss/aws4_request,${sig}`), "InvalidArgument");
    assertDomainError(
      bad("Credential=AK/20250101/cn/oss/aliyun_v4_request,Signature=xyz"),
      "InvalidArgument",
      /Signature/,
    );
    assertDomainError(
      bad(`Credential=AK/20250101/cn/oss/aliyun_v4_request,AdditionalHeaders=Host,${sig}`),
      "InvalidArgument",
      /AdditionalHeaders/,
    );
    assertDomainError(
      bad(`Credential=AK/20250101/cn/oss/aliyun_v4_request,Extra=1,${sig}`),
      "InvalidArgument",
      /unknown/,
    );
  });
});
