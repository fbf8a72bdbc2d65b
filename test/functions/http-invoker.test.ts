/**
 * functions/http-invoker.ts against a real HTTP server on loopback: the batch request is POSTed as JSON to the
 * configured URL and the answer sorted. A 2xx body is the payload (with the function's error marker when the
 * header says so, or "tooLarge" past 6 MiB); 408, 429 and 5xx, an endpoint that cannot be reached and one that
 * does not answer within timeoutMs (body included) throw a retryable StorageError with the status and code the
 * report shows; other statuses, redirects included (never followed), come back as an HTTP error; the caller's
 * abort is rethrown as it is. Timeouts here are on endpoints that never answer, so no outcome depends on speed.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { MAX_PAYLOAD_BYTES, postBatchRequest } from "../../src/functions/http-invoker.js";
import { StorageError } from "../../src/storage/errors.js";

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const REQUEST = { invocationSchemaVersion: "1.0", invocationId: "inv-1", job: { id: "job-1" }, tasks: [] };

describe("postBatchRequest", () => {
  let server: Server;
  let base: string;
  const seen: { path: string; method?: string; headers: IncomingMessage["headers"]; body: string }[] = [];
  const handlers: Record<string, Handler> = {
    "/echo": (_req, res, body) => res.writeHead(200, { "content-type": "application/json" }).end(body),
    "/created": (_req, res) => res.writeHead(201).end('{"results":[]}'),
    "/empty": (_req, res) => res.writeHead(204).end(),
    "/function-error": (_req, res) =>
      res.writeHead(200, { "x-amz-function-error": "Unhandled" }).end('{"errorMessage":"boom"}'),
    "/six-mib": (_req, res) => res.writeHead(200).end(Buffer.alloc(MAX_PAYLOAD_BYTES, "a")),
    "/too-large": (_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(1024 * 1024, "a");
      for (let i = 0; i < 7; i++) res.write(chunk);
      res.end();
    },
    "/redirect": (_req, res) => res.writeHead(302, { location: "/echo" }).end(),
    "/not-found": (_req, res) => res.writeHead(404).end("no such\n\n   function"),
    "/forbidden-long": (_req, res) => res.writeHead(403).end("x".repeat(300)),
    "/bad-request-empty": (_req, res) => res.writeHead(400).end("   "),
    "/408": (_req, res) => res.writeHead(408).end("slow request"),
    "/429": (_req, res) => res.writeHead(429).end("rate exceeded"),
    "/500": (_req, res) => res.writeHead(500).end("internal trouble"),
    "/502": (_req, res) => res.writeHead(502).end(),
    "/503": (_req, res) => res.writeHead(503).end("unavailable"),
    "/never": () => undefined,
    "/stalls-mid-body": (_req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write('{"results":');
    },
  };

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const path = (req.url ?? "/").split("?")[0] ?? "/";
        seen.push({ path: req.url ?? "/", method: req.method, headers: req.headers, body });
        (handlers[path] ?? ((_q, r) => r.writeHead(404).end()))(req, res, body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const endpoint = (path: string, timeoutMs = 60_000) => ({ url: `${base}${path}`, timeoutMs });
  const post = (path: string, timeoutMs?: number, signal?: AbortSignal) =>
    postBatchRequest(endpoint(path, timeoutMs), REQUEST, signal);

  /** Asserts that `work` throws a retryable StorageError with this code, status and message. */
  async function retryable(work: Promise<unknown>, code: string, status: number, message: string | RegExp) {
    await assert.rejects(work, (e: unknown) => {
      assert.ok(e instanceof StorageError, `a StorageError, not ${String(e)}`);
      assert.deepEqual([e.code, e.httpStatus, e.retryable], [code, status, true]);
      if (typeof message === "string") assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    });
  }

  it("POSTs the request as JSON to exactly the configured URL, and returns a 2xx body as the payload", async () => {
    const answer = await postBatchRequest(endpoint("/echo?stage=prod"), REQUEST);
    assert.deepEqual(answer, { kind: "payload", body: JSON.stringify(REQUEST) });
    const request = seen.at(-1);
    assert.equal(request?.path, "/echo?stage=prod");
    assert.equal(request?.method, "POST");
    assert.equal(request?.headers["content-type"], "application/json");
    assert.equal(request?.headers.accept, "application/json");
    assert.deepEqual(JSON.parse(request?.body ?? ""), REQUEST);
    assert.deepEqual(await post("/created"), { kind: "payload", body: '{"results":[]}' });
    assert.deepEqual(await post("/empty"), { kind: "payload", body: "" });
  });

  it("marks a payload the function's error when X-Amz-Function-Error says so", async () => {
    assert.deepEqual(await post("/function-error"), {
      kind: "payload",
      body: '{"errorMessage":"boom"}',
      functionError: "Unhandled",
    });
  });

  it("reads a payload of 6 MiB, and no further than that: a bigger one is too large", async () => {
    const answer = await post("/six-mib");
    assert.equal(answer.kind, "payload");
    assert.equal((answer as { body: string }).body.length, MAX_PAYLOAD_BYTES);
    assert.deepEqual(await post("/too-large"), { kind: "tooLarge" });
  });

  it("never follows a redirect: only the configured URL is called", async () => {
    const before = seen.length;
    assert.deepEqual(await post("/redirect"), {
      kind: "httpError",
      status: 302,
      message: `Function endpoint ${base}/redirect answered HTTP 302 (redirects are not followed)`,
    });
    assert.deepEqual(
      seen.slice(before).map((r) => r.path),
      ["/redirect"],
    );
  });

  it("returns other 4xx answers as an HTTP error, with a tidy excerpt of the body", async () => {
    assert.deepEqual(await post("/not-found"), {
      kind: "httpError",
      status: 404,
      message: `Function endpoint ${base}/not-found answered HTTP 404: no such function`,
    });
    const long = await post("/forbidden-long");
    assert.equal(
      (long as { message: string }).message,
      `Function endpoint ${base}/forbidden-long answered HTTP 403: ${"x".repeat(200)}…`,
    );
    assert.deepEqual(await post("/bad-request-empty"), {
      kind: "httpError",
      status: 400,
      message: `Function endpoint ${base}/bad-request-empty answered HTTP 400`,
    });
  });

  it("throws a retryable error for 408, 429 and 5xx, with the status the endpoint answered", async () => {
    await retryable(
      post("/408"),
      "RequestTimeout",
      408,
      `Function endpoint ${base}/408 answered HTTP 408: slow request`,
    );
    await retryable(
      post("/429"),
      "TooManyRequestsException",
      429,
      `Function endpoint ${base}/429 answered HTTP 429: rate exceeded`,
    );
    await retryable(
      post("/500"),
      "ServiceException",
      500,
      `Function endpoint ${base}/500 answered HTTP 500: internal trouble`,
    );
    await retryable(post("/502"), "ServiceException", 502, `Function endpoint ${base}/502 answered HTTP 502`);
    await retryable(post("/503"), "ServiceException", 503, /answered HTTP 503: unavailable$/);
  });

  it("gives up on an endpoint that does not answer within timeoutMs, its body included: 504, retryable", async () => {
    await retryable(
      post("/never", 50),
      "RequestTimeout",
      504,
      `Function endpoint ${base}/never did not answer within 50 ms`,
    );
    await retryable(post("/stalls-mid-body", 50), "RequestTimeout", 504, /did not answer within 50 ms$/);
  });

  it("throws a retryable 503 for an endpoint that cannot be reached", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await retryable(
      postBatchRequest({ url: `http://127.0.0.1:${port}/fn`, timeoutMs: 60_000 }, REQUEST),
      "ServiceUnavailable",
      503,
      `Function endpoint http://127.0.0.1:${port}/fn could not be reached: ECONNREFUSED`,
    );
  });

  it("rethrows the caller's abort as it is: shutdown is not a task result", async () => {
    const shutdown = new AbortController();
    const call = post("/never", 60_000, shutdown.signal);
    setImmediate(() => shutdown.abort(new Error("engine stopping")));
    await assert.rejects(call, (e: unknown) => !(e instanceof StorageError) && /engine stopping/.test(String(e)));
    await assert.rejects(
      post("/echo", 60_000, AbortSignal.abort()),
      (e: unknown) => !(e instanceof StorageError) && (e as Error).name === "AbortError",
    );
  });
});
