/**
 * Request bodies as raw bytes (src/api/http/raw-body.ts), over real HTTP: inside the plugin that calls
 * acceptRawBodies, every body arrives as the exact bytes sent, whatever its Content-Type or none, up to the limit
 * (Fastify's FST_ERR_CTP_BODY_TOO_LARGE beyond it); a request without a body has none (bodyOf) or no bytes
 * (bodyBytesOf); plugins beside it keep their own parsers.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { acceptRawBodies, bodyBytesOf, bodyOf } from "../../../src/api/http/raw-body.js";
import { inChunks, rawHttpRequest } from "../../helpers/raw-http.js";

const MAX_BODY = 32;
let app: FastifyInstance;
let base: URL;
const errors: string[] = [];

before(async () => {
  app = Fastify();
  await app.register(async (raw) => {
    acceptRawBodies(raw, MAX_BODY);
    raw.setErrorHandler((error, _request, reply) => {
      errors.push(String((error as { code?: string }).code));
      reply.code(413).send("too large");
    });
    raw.route({
      method: ["GET", "POST", "PUT", "DELETE"],
      url: "/raw",
      handler: async (request) => ({
        hasBody: bodyOf(request) !== undefined,
        isBuffer: Buffer.isBuffer(request.body),
        hex: bodyBytesOf(request).toString("hex"),
      }),
    });
  });
  await app.register(async (json) => {
    json.post("/json", async (request) => ({ parsed: request.body }));
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  base = new URL(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
});

after(async () => {
  await app.close();
});

async function send(method: string, path: string, headers: Record<string, string>, body?: Buffer | string) {
  const r = await rawHttpRequest(new URL(path, base), { method, headers }, (req) => req.end(body));
  return { status: r.status, text: r.text, json: r.status === 200 ? JSON.parse(r.text) : undefined };
}

describe("acceptRawBodies", () => {
  it("hands over the exact bytes whatever the Content-Type, or without one", async () => {
    const bytes = Buffer.from([0x3c, 0x78, 0x2f, 0x3e, 0xff, 0x00, 0xfe]);
    for (const type of [
      "application/xml",
      "application/json",
      "text/plain; charset=iso-8859-1",
      "multipart/form-data; boundary=x",
      "application/x-www-form-urlencoded",
      undefined,
    ]) {
      const headers: Record<string, string> = { "content-length": String(bytes.length) };
      if (type !== undefined) headers["content-type"] = type;
      const r = await send("POST", "/raw", headers, bytes);
      assert.equal(r.status, 200, `${type}: ${r.text}`);
      assert.deepEqual(r.json, { hasBody: true, isBuffer: true, hex: bytes.toString("hex") }, String(type));
    }
  });

  it("does not parse what looks like JSON: invalid JSON is just bytes", async () => {
    const r = await send("POST", "/raw", { "content-type": "application/json" }, "{not json");
    assert.equal(r.status, 200, r.text);
    assert.equal(Buffer.from(r.json.hex, "hex").toString(), "{not json");
  });

  it("accepts a body of exactly the limit, announced or chunked, and refuses one byte more", async () => {
    const exact = "x".repeat(MAX_BODY);
    assert.equal((await send("PUT", "/raw", { "content-length": String(MAX_BODY) }, exact)).status, 200);
    const chunked = await rawHttpRequest(
      new URL("/raw", base),
      { method: "POST", headers: { "transfer-encoding": "chunked" } },
      inChunks([exact.slice(0, 10), exact.slice(10)]),
    );
    assert.equal(chunked.status, 200, chunked.text);
    errors.length = 0;
    assert.equal((await send("POST", "/raw", { "content-length": String(MAX_BODY + 1) }, `${exact}x`)).status, 413);
    const tooLong = await rawHttpRequest(
      new URL("/raw", base),
      { method: "POST", headers: { "transfer-encoding": "chunked" } },
      inChunks([exact, "x"]),
    );
    assert.equal(tooLong.status, 413);
    assert.deepEqual(errors, ["FST_ERR_CTP_BODY_TOO_LARGE", "FST_ERR_CTP_BODY_TOO_LARGE"]);
  });

  it("leaves the plugins beside it their own parsers", async () => {
    const r = await send("POST", "/json", { "content-type": "application/json" }, '{"a":1}');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { parsed: { a: 1 } });
  });
});

describe("bodyOf and bodyBytesOf", () => {
  it("say there is no body, and no bytes, when a request sends none", async () => {
    for (const method of ["GET", "DELETE"]) {
      const r = await send(method, "/raw", {});
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json, { hasBody: false, isBuffer: false, hex: "" }, method);
    }
  });

  it("give an empty body that was sent (Content-Length: 0) as no bytes", async () => {
    const r = await send("POST", "/raw", { "content-length": "0", "content-type": "application/xml" });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { hasBody: true, isBuffer: true, hex: "" });
  });
});
