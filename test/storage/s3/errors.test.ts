/**
 * How S3Storage classifies failures, against a real HTTP server that answers what a troubled S3 would:
 * throttling (503 SlowDown, 429), 500 InternalError, an error inside a 200 CopyObject answer, dropped
 * connections and stalls (retryable), and 403 / 404 / 412 / 400 / 501 (permanent, with the S3 code and status).
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { buffer } from "node:stream/consumers";
import { after, before, describe, it } from "node:test";
import { isStorageError, type StorageError } from "../../../src/storage/errors.js";
import { S3Storage } from "../../../src/storage/s3/index.js";
import { type LoopbackServer, listenOnLoopback } from "../../helpers/loopback-server.js";
import { freePort } from "../../helpers/process.js";

type Behaviour = (req: IncomingMessage, res: ServerResponse) => void;

const xmlError =
  (status: number, code: string, message: string): Behaviour =>
  (_req, res) => {
    res.writeHead(status, { "content-type": "application/xml" });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>r1</RequestId></Error>`,
    );
  };

async function classify(p: Promise<unknown>): Promise<StorageError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isStorageError(e), `expected a StorageError, got ${(e as Error)?.stack ?? String(e)}`);
    return e;
  }
  assert.fail("expected a rejection");
}

describe("S3Storage error mapping", () => {
  let server: Server;
  let storage: S3Storage;
  let behaviour: Behaviour = xmlError(500, "InternalError", "x");
  let requests = 0;
  let listening: LoopbackServer | undefined;

  before(async () => {
    server = createServer((req, res) => {
      requests++;
      req.resume();
      req.on("end", () => behaviour(req, res));
    });
    listening = await listenOnLoopback(server);
    storage = new S3Storage({
      kind: "s3",
      endpoint: listening.url,
      region: "us-east-1",
      accessKeyId: "AKID",
      secretAccessKey: "secret",
      forcePathStyle: true,
      idleTimeoutMs: 300,
    });
  });
  after(async () => {
    await storage?.close();
    await listening?.close();
  });

  const retryableCases: [string, Behaviour, string, number][] = [
    ["503 SlowDown", xmlError(503, "SlowDown", "Please reduce your request rate."), "SlowDown", 503],
    ["500 InternalError", xmlError(500, "InternalError", "We encountered an internal error."), "InternalError", 500],
    ["429 without a body", (_q, r) => r.writeHead(429).end(), "TooManyRequests", 429],
    [
      "502 from a proxy, HTML body",
      (_q, r) => r.writeHead(502, { "content-type": "text/html" }).end("<html>bad gateway</html>"),
      "InternalError",
      502,
    ],
    [
      "400 RequestTimeout",
      xmlError(400, "RequestTimeout", "Your socket connection was not read from"),
      "RequestTimeout",
      400,
    ],
  ];
  for (const [name, b, code, status] of retryableCases) {
    it(`${name} is retryable, with the code and status (one attempt: the engine retries)`, async () => {
      behaviour = b;
      const before = requests;
      const e = await classify(storage.put("bucket", "key", "body"));
      assert.equal(e.code, code);
      assert.equal(e.httpStatus, status);
      assert.equal(e.retryable, true);
      assert.equal(requests - before, 1, "the SDK itself does not retry");
    });
  }

  it("an error inside a 200 CopyObject answer is retryable server trouble", async () => {
    behaviour = (_q, r) => {
      r.writeHead(200, { "content-type": "application/xml" });
      r.end(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>',
      );
    };
    const e = await classify(
      storage.copy({ bucket: "a", key: "k" }, { bucket: "b", key: "k" }, { aclDirective: "Replaced" }),
    );
    assert.equal(e.code, "InternalError");
    // The SDK turns an error inside a 200 answer into a 503 answer of its own.
    assert.ok(e.httpStatus >= 500, String(e.httpStatus));
    assert.equal(e.retryable, true);
  });

  it("a dropped connection is retryable", async () => {
    behaviour = (req) => req.socket.destroy();
    const e = await classify(storage.head("bucket", "key"));
    assert.equal(e.code, "ConnectionError");
    assert.equal(e.retryable, true);
    assert.match(e.message, /bucket\/key/);
  });

  it("a server that stops answering is a retryable RequestTimeout", async () => {
    behaviour = () => {
      /* never answers */
    };
    const e = await classify(storage.get("bucket", "key"));
    assert.equal(e.code, "RequestTimeout");
    assert.equal(e.retryable, true);
  });

  it("a connection dropped while the body streams fails the stream with a retryable error", async () => {
    behaviour = (_q, r) => {
      r.writeHead(200, { "content-length": "1000", "content-type": "application/octet-stream" });
      r.write(Buffer.alloc(100));
      setTimeout(() => r.socket?.destroy(), 20);
    };
    const body = await storage.get("bucket", "key");
    const e = await classify(buffer(body));
    assert.equal(e.retryable, true);
    assert.equal(e.httpStatus, 503);
  });

  it("a refused connection is retryable", async () => {
    const port = await freePort();
    const dead = new S3Storage({
      kind: "s3",
      endpoint: `http://127.0.0.1:${port}`,
      region: "us-east-1",
      accessKeyId: "a",
      secretAccessKey: "b",
      forcePathStyle: true,
    });
    try {
      const e = await classify(dead.head("bucket", "key"));
      assert.equal(e.code, "ConnectionError");
      assert.equal(e.retryable, true);
      assert.match(e.message, /ECONNREFUSED/);
    } finally {
      await dead.close();
    }
  });

  const permanentCases: [string, Behaviour, () => Promise<unknown>, string, number][] = [
    [
      "403 AccessDenied",
      xmlError(403, "AccessDenied", "Access Denied"),
      () => storage.put("b", "k", "x"),
      "AccessDenied",
      403,
    ],
    [
      "404 NoSuchKey",
      xmlError(404, "NoSuchKey", "The specified key does not exist."),
      () => storage.get("b", "k"),
      "NoSuchKey",
      404,
    ],
    [
      "404 NoSuchBucket",
      xmlError(404, "NoSuchBucket", "The specified bucket does not exist"),
      () => storage.getTagging("b", "k"),
      "NoSuchBucket",
      404,
    ],
    [
      "412 PreconditionFailed",
      xmlError(412, "PreconditionFailed", "At least one of the preconditions you specified did not hold"),
      () => storage.copy({ bucket: "a", key: "k" }, { bucket: "b", key: "k" }, { aclDirective: "Replaced" }),
      "PreconditionFailed",
      412,
    ],
    [
      "400 InvalidArgument",
      xmlError(400, "InvalidArgument", "Invalid argument"),
      () => storage.putTagging("b", "k", [{ key: "a", value: "b" }]),
      "InvalidArgument",
      400,
    ],
    [
      "403 InvalidObjectState",
      xmlError(403, "InvalidObjectState", "The operation is not valid for the object's storage class"),
      () => storage.get("b", "k"),
      "InvalidObjectState",
      403,
    ],
    [
      "501 NotImplemented",
      xmlError(501, "NotImplemented", "A header you provided implies functionality that is not implemented"),
      () => storage.restore("b", "k", {}),
      "NotImplemented",
      501,
    ],
    ["bodyless 403 on HEAD", (_q, r) => r.writeHead(403).end(), () => storage.head("b", "k"), "AccessDenied", 403],
    [
      "bodyless 412 on HEAD",
      (_q, r) => r.writeHead(412).end(),
      () => storage.head("b", "k"),
      "PreconditionFailed",
      412,
    ],
  ];
  for (const [name, b, call, code, status] of permanentCases) {
    it(`${name} is permanent, with the code and status`, async () => {
      behaviour = b;
      const e = await classify(call());
      assert.equal(e.code, code);
      assert.equal(e.httpStatus, status);
      assert.equal(e.retryable, false);
    });
  }

  it("a bodyless 404 on HEAD is NoSuchKey when the bucket answers, NoSuchBucket when it does not", async () => {
    behaviour = (req, res) => {
      // HEAD /b/k (the object) and HEAD /b (the bucket): the bucket exists.
      res.writeHead(req.url?.replace(/\?.*/, "").replace(/\/$/, "") === "/b" ? 200 : 404).end();
    };
    assert.equal((await classify(storage.head("b", "k"))).code, "NoSuchKey");
    behaviour = (_q, res) => res.writeHead(404).end();
    const e = await classify(storage.head("b", "k"));
    assert.equal(e.code, "NoSuchBucket");
    assert.equal(e.httpStatus, 404);
  });

  it("never puts the secret key in an error message", async () => {
    behaviour = xmlError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match");
    const e = await classify(storage.put("b", "k", "x"));
    assert.equal(e.code, "SignatureDoesNotMatch");
    assert.doesNotMatch(e.message, /secret/);
  });
});
