/**
 * Fastify's own rejections of a request, sorted (src/api/http/fastify-rejections.ts): a body over the limit is
 * `body-too-large`; any other 4xx Fastify raised while reading the request is `unreadable-request` with Fastify's
 * words; everything else, whatever was thrown (null included), is not a rejection but a real failure. Then the
 * COS and OSS wording of the two kinds. The errors are Fastify's own classes, and the ones a real Fastify server
 * raises for real requests.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import Fastify, { errorCodes, type FastifyInstance } from "fastify";
import { fastifyRejectionOf, rejectionAsDomainError } from "../../../src/api/http/fastify-rejections.js";
import { acceptRawBodies } from "../../../src/api/http/raw-body.js";
import { DomainError } from "../../../src/domain/errors.js";
import { rawHttpRequest } from "../../helpers/raw-http.js";

describe("fastifyRejectionOf: Fastify's error classes", () => {
  it("sorts a body over the limit as body-too-large", () => {
    assert.deepEqual(fastifyRejectionOf(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE()), { kind: "body-too-large" });
  });

  it("sorts Fastify's other 4xx as unreadable-request, in Fastify's words", () => {
    for (const error of [
      new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH(),
      new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(),
      new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(),
      new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY(),
    ]) {
      assert.deepEqual(fastifyRejectionOf(error), { kind: "unreadable-request", message: error.message }, error.code);
    }
  });

  it("leaves Fastify's 5xx, other libraries' 4xx and DomainErrors alone: they are real failures", () => {
    for (const error of [
      new errorCodes.FST_ERR_REP_ALREADY_SENT("/", "GET"),
      new errorCodes.FST_ERR_HOOK_TIMEOUT("onRequest", ""),
      Object.assign(new Error("bad"), { code: "ERR_SOMETHING", statusCode: 400 }),
      Object.assign(new Error("bad"), { code: "FST_ODD", statusCode: 399 }),
      Object.assign(new Error("bad"), { code: "FST_ODD" }),
      Object.assign(new Error("bad"), { statusCode: 413 }),
      new DomainError("InvalidArgument", "bad"),
      new Error("boom"),
    ]) {
      assert.equal(fastifyRejectionOf(error), undefined, String(error));
    }
  });

  it("answers undefined for whatever else may be thrown, null and undefined included", () => {
    for (const thrown of [null, undefined, "boom", 42, true, Symbol("thrown")]) {
      assert.equal(fastifyRejectionOf(thrown), undefined, typeof thrown);
    }
  });

  it("gives a default message when a 4xx rejection has none", () => {
    assert.deepEqual(fastifyRejectionOf({ code: "FST_ERR_X", statusCode: 400 }), {
      kind: "unreadable-request",
      message: "The request could not be read.",
    });
  });
});

describe("fastifyRejectionOf: what a real Fastify server raises", () => {
  const MAX_BODY = 64;
  let app: FastifyInstance;
  let url: URL;
  const seen: unknown[] = [];

  before(async () => {
    app = Fastify();
    await app.register(async (scope) => {
      acceptRawBodies(scope, MAX_BODY);
      scope.setErrorHandler((error, _request, reply) => {
        seen.push(fastifyRejectionOf(error) ?? "not a rejection");
        reply.code(400).send("rejected");
      });
      scope.post("/", async () => "ok");
      scope.get("/thrown/:what", async (request) => {
        throw { null: null, undefined: undefined, string: "boom" }[(request.params as { what: string }).what];
      });
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    url = new URL(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`);
  });

  after(async () => {
    await app.close();
  });

  const send = (headers: Record<string, string>, body: string) =>
    rawHttpRequest(url, { method: "POST", headers }, (req) => req.end(body));

  it("a body over the route's limit, announced or not", async () => {
    seen.length = 0;
    const big = "x".repeat(MAX_BODY + 1);
    assert.equal((await send({ "content-length": String(big.length) }, big)).status, 400);
    assert.equal((await send({ "transfer-encoding": "chunked" }, big)).status, 400);
    assert.deepEqual(seen, [{ kind: "body-too-large" }, { kind: "body-too-large" }]);
  });

  it("null, undefined or a string thrown by a handler: never a rejection, and no crash of the error handler", async () => {
    seen.length = 0;
    for (const what of ["null", "undefined", "string"]) {
      const r = await rawHttpRequest(new URL(`/thrown/${what}`, url), { method: "GET" }, (req) => req.end());
      assert.equal(r.status, 400, `${what}: ${r.text}`);
    }
    assert.deepEqual(seen, ["not a rejection", "not a rejection", "not a rejection"]);
  });
});

describe("rejectionAsDomainError (COS and OSS)", () => {
  it("answers a body over the limit with EntityTooLarge naming the limit", () => {
    const error = rejectionAsDomainError({ kind: "body-too-large" }, 1048576);
    assert.equal(error.kind, "EntityTooLarge");
    assert.equal(error.message, "Your proposed upload exceeds the maximum allowed size of 1048576 bytes.");
  });

  it("answers any other rejection with InvalidRequest in Fastify's words", () => {
    const error = rejectionAsDomainError(
      { kind: "unreadable-request", message: "Request body size did not match Content-Length" },
      1,
    );
    assert.equal(error.kind, "InvalidRequest");
    assert.equal(error.message, "Request body size did not match Content-Length");
  });
});
