/**
 * What no route serves (unknown-route.ts, and the S3 Control plugin's own not-found answer), over real HTTP
 * against a real objbatch (startTestApp, engine off): unknown paths and OPTIONS are answered in each API's own
 * error format, with its request-id header; a path no API has in S3 style.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { XMLParser } from "fast-xml-parser";
import { startTestApp, type TestApp } from "../../helpers/app.js";
import { signedCall } from "../../helpers/s3control-client.js";

const parser = new XMLParser({ parseTagValue: false, ignoreDeclaration: true, ignoreAttributes: false });
let app: TestApp;

before(async () => {
  app = await startTestApp({ runEngine: false });
});

after(() => app.dispose());

interface Plain {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: parsed XML of any shape
  readonly xml: any;
}

async function plain(method: string, path: string): Promise<Plain> {
  const r = await fetch(new URL(path, app.url), { method });
  const text = await r.text();
  return { status: r.status, headers: r.headers, text, xml: text ? parser.parse(text) : undefined };
}

describe("unknown routes and OPTIONS answer in the API's own error format", () => {
  it("COS paths: <Error> with x-cos-request-id; 405 for a resource, 404 for a path COS does not have", async () => {
    for (const [method, path, status, code] of [
      ["OPTIONS", "/jobs", 405, "MethodNotAllowed"],
      ["OPTIONS", "/jobs/some-job/status", 405, "MethodNotAllowed"],
      ["GET", "/jobs/some-job/status/extra", 404, "NoSuchResource"],
    ] as const) {
      const r = await plain(method, path);
      assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
      assert.equal(r.headers.get("content-type"), "application/xml");
      assert.equal(r.xml.Error.Code, code);
      assert.equal(r.xml.Error.RequestId, r.headers.get("x-cos-request-id"));
      assert.ok(r.xml.Error.TraceId);
    }
  });

  it("OSS paths: <Error> with x-oss-request-id", async () => {
    for (const [method, path, status, code] of [
      ["OPTIONS", "/?batchJob", 405, "MethodNotAllowed"],
      ["OPTIONS", "/", 405, "MethodNotAllowed"],
      ["GET", "/some/where?batchJobStatus", 404, "NoSuchResource"],
    ] as const) {
      const r = await plain(method, path);
      assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
      assert.equal(r.headers.get("content-type"), "application/xml");
      assert.equal(r.xml.Error.Code, code);
      assert.match(r.xml.Error.RequestId, /^[0-9A-F]{24}$/);
      assert.equal(r.xml.Error.RequestId, r.headers.get("x-oss-request-id"));
    }
  });

  it("S3 Control paths: <ErrorResponse> with x-amz-request-id and x-amz-id-2, after the signature check", async () => {
    for (const [method, path, status, code] of [
      ["OPTIONS", "/v20180820/jobs", 405, "MethodNotAllowed"],
      ["OPTIONS", "/v20180820/jobs/some-job/tagging", 405, "MethodNotAllowed"],
      ["GET", "/v20180820/accesspoint/ap", 404, "NotFoundException"],
    ] as const) {
      const r = await signedCall(app.url, { method, path });
      assert.equal(r.status, status, `${method} ${path}: ${r.text}`);
      const e = parser.parse(r.text).ErrorResponse;
      assert.equal(e.Error.Code, code);
      assert.equal(e.RequestId, r.headers["x-amz-request-id"]);
      assert.equal(e.HostId, r.headers["x-amz-id-2"]);
    }
    // Unsigned, S3 Control answers as S3 does: the missing signature first, in its own format.
    const unsigned = await plain("OPTIONS", "/v20180820/jobs");
    assert.equal(unsigned.status, 403, unsigned.text);
    assert.equal(unsigned.xml.ErrorResponse.Error.Code, "AccessDenied");
    assert.equal(unsigned.xml.ErrorResponse.RequestId, unsigned.headers.get("x-amz-request-id"));
  });

  it("a path of none of the APIs: an S3-style XML 404, not the framework's JSON", async () => {
    const r = await plain("GET", "/favicon.ico");
    assert.equal(r.status, 404);
    assert.equal(r.headers.get("content-type"), "application/xml");
    assert.equal(r.xml.Error.Code, "NoSuchResource");
    assert.equal(r.xml.Error.Resource, "/favicon.ico");
    assert.equal(r.xml.Error.RequestId, r.headers.get("x-amz-request-id"));
    assert.equal((await plain("GET", "/healthz")).status, 200, "the server's own routes still answer");
  });
});
