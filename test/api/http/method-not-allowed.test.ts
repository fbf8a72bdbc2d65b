/**
 * 405 MethodNotAllowed for a method a job resource does not serve (src/api/http/method-not-allowed.ts): the
 * DomainError names the method, and the OSS sub-resource when there is one; rejectMethod, registered as a route
 * handler, refuses every request it gets with it, so the dialect's error handler answers in its own format (here a
 * real Fastify server with a small error handler of the test's making).
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { methodNotAllowed, rejectMethod } from "../../../src/api/http/method-not-allowed.js";
import { isDomainError } from "../../../src/domain/errors.js";
import { rawHttpRequest } from "../../helpers/raw-http.js";

describe("methodNotAllowed", () => {
  it("is a MethodNotAllowed DomainError naming the method", () => {
    const error = methodNotAllowed("PUT");
    assert.equal(isDomainError(error), true);
    assert.equal(error.kind, "MethodNotAllowed");
    assert.equal(error.message, "The specified method PUT is not allowed against this resource.");
  });

  it("names the OSS sub-resource when there is one, and only then", () => {
    assert.equal(
      methodNotAllowed("GET", "batchJobStatus").message,
      "The specified method GET is not allowed against this resource (batchJobStatus).",
    );
    assert.equal(methodNotAllowed("GET", "").message, "The specified method GET is not allowed against this resource.");
  });
});

describe("rejectMethod", () => {
  let app: FastifyInstance;
  let base: URL;

  before(async () => {
    app = Fastify();
    app.setErrorHandler((error, _request, reply) => {
      if (!isDomainError(error)) return reply.code(500).send(String(error));
      const status = error.kind === "MethodNotAllowed" ? 405 : 500;
      return reply.code(status).type("text/plain").send(`${error.kind}: ${error.message}`);
    });
    app.route({ method: ["PUT", "PATCH", "DELETE"], url: "/jobs", handler: rejectMethod });
    app.get("/jobs", async () => "listed");
    await app.listen({ port: 0, host: "127.0.0.1" });
    base = new URL(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/jobs`);
  });

  after(async () => {
    await app.close();
  });

  it("refuses each method it is registered for with MethodNotAllowed naming it, leaving the others served", async () => {
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      const r = await rawHttpRequest(base, { method }, (req) => req.end());
      assert.equal(r.status, 405, `${method}: ${r.text}`);
      assert.equal(r.text, `MethodNotAllowed: The specified method ${method} is not allowed against this resource.`);
    }
    const get = await rawHttpRequest(base, { method: "GET" }, (req) => req.end());
    assert.equal(get.status, 200);
    assert.equal(get.text, "listed");
  });
});
