/**
 * Sending XML answers from Fastify (src/api/http/xml-reply.ts), over real HTTP: the Content-Type is exactly
 * `application/xml` (no `; charset=utf-8` appended, as it would be to a string), the body is the UTF-8 bytes of the
 * document, and the Content-Length counts those bytes; the status and headers set before it are kept.
 */
import assert from "node:assert/strict";
import { type IncomingHttpHeaders, request } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { sendXml } from "../../../src/api/http/xml-reply.js";

const DOCUMENT = '<?xml version="1.0" encoding="UTF-8"?><R><Description>批量 – ünïcode 🙂</Description></R>';
let app: FastifyInstance;
let base: URL;

before(async () => {
  app = Fastify();
  app.get("/ok", async (_request, reply) => {
    sendXml(reply, DOCUMENT);
  });
  app.get("/error", async (_request, reply) => {
    sendXml(reply.code(404).header("x-request-id", "r-1"), "<Error><Code>NoSuchJob</Code></Error>");
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  base = new URL(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
});

after(async () => {
  await app.close();
});

/** The raw bytes of an answer, so nothing is decoded on the way. */
function get(path: string): Promise<{ status: number; headers: IncomingHttpHeaders; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("sendXml", () => {
  it("sends application/xml without a charset, the document's UTF-8 bytes, and their length", async () => {
    const r = await get("/ok");
    assert.equal(r.status, 200);
    assert.equal(r.headers["content-type"], "application/xml");
    assert.equal(r.bytes.toString("utf8"), DOCUMENT);
    assert.equal(r.headers["content-length"], String(Buffer.byteLength(DOCUMENT)));
    assert.notEqual(Buffer.byteLength(DOCUMENT), DOCUMENT.length, "the document has multi-byte characters");
  });

  it("keeps the status and headers set before it", async () => {
    const r = await get("/error");
    assert.equal(r.status, 404);
    assert.equal(r.headers["x-request-id"], "r-1");
    assert.equal(r.headers["content-type"], "application/xml");
    assert.equal(r.bytes.toString("utf8"), "<Error><Code>NoSuchJob</Code></Error>");
  });
});
