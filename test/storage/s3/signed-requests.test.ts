/**
 * The signed-request path (signed-requests.ts) that CopyObject and DeleteObject take: it sends what the AWS SDK
 * would send (the same headers for every copy field, keys encoded the same way, signatures s3rver accepts), gives
 * the same StorageErrors for every kind of failure, retries only when maxAttempts says so, and leaves to the SDK
 * what only the SDK can do.
 */
import assert from "node:assert/strict";
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { after, before, describe, it } from "node:test";
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { isStorageError, type StorageError } from "../../../src/storage/errors.js";
import { copySource } from "../../../src/storage/s3/attributes.js";
import { createS3Clients } from "../../../src/storage/s3/client.js";
import { resolveS3Config } from "../../../src/storage/s3/config.js";
import { copyObjectHeaders } from "../../../src/storage/s3/copy-object-headers.js";
import { toStorageError } from "../../../src/storage/s3/errors.js";
import { S3Storage } from "../../../src/storage/s3/index.js";
import { answerError, encodeKey, xmlText } from "../../../src/storage/s3/signed-requests.js";
import { listenOnLoopback } from "../../helpers/loopback-server.js";
import { freePort } from "../../helpers/process.js";
import { type S3rverHandle, startS3rver } from "../../helpers/s3rver.js";

type Behaviour = (req: IncomingMessage, res: ServerResponse) => void;

const COPY_RESULT =
  '<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult><LastModified>2024-01-01T00:00:00.000Z</LastModified>' +
  "<ETag>&quot;0f343b0931126a20f133d67c2b018a3b&quot;</ETag></CopyObjectResult>";

const xmlError =
  (status: number, code: string, message: string): Behaviour =>
  (_req, res) => {
    res.writeHead(status, { "content-type": "application/xml" });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
  };

async function failure(p: Promise<unknown>): Promise<StorageError> {
  try {
    await p;
  } catch (e) {
    assert.ok(isStorageError(e), `expected a StorageError, got ${(e as Error)?.stack ?? String(e)}`);
    return e;
  }
  assert.fail("expected a rejection");
}

/** A plain HTTP server that answers as told and remembers the requests it got. */
async function scriptedServer() {
  const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
  let behaviour: Behaviour = (_q, r) => r.writeHead(200).end(COPY_RESULT);
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    req.resume();
    req.on("end", () => behaviour(req, res));
  });
  const listening = await listenOnLoopback(server);
  return {
    endpoint: listening.url,
    seen,
    answer(b: Behaviour) {
      behaviour = b;
    },
    close: () => listening.close(),
  };
}

const storageAt = (endpoint: string, extra: Record<string, unknown> = {}) =>
  new S3Storage({
    kind: "s3",
    endpoint,
    region: "us-east-1",
    accessKeyId: "AKID",
    secretAccessKey: "secret",
    forcePathStyle: true,
    idleTimeoutMs: 300,
    ...extra,
  });

const COPY = { aclDirective: "Replaced" } as const;

describe("the signed-request path", () => {
  describe("against s3rver, which checks every signature", () => {
    let s3: S3rverHandle;
    let storage: S3Storage;
    before(async () => {
      s3 = await startS3rver({ buckets: ["src", "dst"] });
      storage = new S3Storage(s3.storageConfig());
    });
    after(async () => {
      await storage?.close();
      await s3?.stop();
    });

    /** What the SDK path answers for the same copy: ok, or the StorageError code it maps to. */
    async function sdkCopy(key: string, target: { bucket: string; key: string }): Promise<string> {
      try {
        await s3.client.send(
          new CopyObjectCommand({ Bucket: target.bucket, Key: target.key, CopySource: copySource("src", key) }),
        );
        return "ok";
      } catch (e) {
        return (toStorageError(e, target.bucket, target.key) as StorageError).code;
      }
    }

    async function leanCopy(key: string, target: { bucket: string; key: string }): Promise<string> {
      try {
        await storage.copy({ bucket: "src", key }, target, COPY);
        return "ok";
      } catch (e) {
        return (e as StorageError).code;
      }
    }

    it("copies and deletes keys with every kind of character, as the SDK encodes them", async () => {
      const keys = ["plain.txt", "a b/c d.txt", "sp€cial/ü/é!'()*~.bin", "deep/er/still/k"];
      for (const Key of keys) await s3.client.send(new PutObjectCommand({ Bucket: "src", Key, Body: `body ${Key}` }));
      for (const key of keys) {
        const written = await storage.copy({ bucket: "src", key }, { bucket: "dst", key }, COPY);
        const head = await s3.client.send(new HeadObjectCommand({ Bucket: "dst", Key: key }));
        assert.equal(written.etag, head.ETag, key);
        const got = await s3.client.send(new GetObjectCommand({ Bucket: "dst", Key: key }));
        assert.equal(await got.Body!.transformToString(), `body ${key}`);
      }
      for (const key of keys) await storage.delete("dst", key);
      for (const key of keys) {
        const e = await failure(storage.head("dst", key));
        assert.equal(e.code, "NoSuchKey", key);
      }
    });

    it("answers each copy as the SDK path does, a key s3rver cannot copy (`+` in the source) included", async () => {
      // s3rver reads a `+` in x-amz-copy-source as a space and decodes a `%` twice, whichever client sends them:
      // both paths fail alike.
      const keys = ["c+d.txt", "per%cent.txt", "amp&eq=;,:@$.txt", "%2F"];
      for (const Key of keys) await s3.client.send(new PutObjectCommand({ Bucket: "src", Key, Body: Key }));
      const cases: [string, { bucket: string; key: string }][] = [
        ...keys.map((key): [string, { bucket: string; key: string }] => [key, { bucket: "dst", key: `p/${key}` }]),
        ["missing-key", { bucket: "dst", key: "m" }],
        ["plain.txt", { bucket: "no-such-bucket", key: "m" }],
      ];
      const answers = [];
      for (const [key, target] of cases) {
        answers.push([key, await leanCopy(key, target), await sdkCopy(key, { ...target, key: `sdk-${target.key}` })]);
      }
      for (const [key, lean, sdk] of answers) assert.equal(lean, sdk, `${key}: ${lean} by the lean path`);
      assert.deepEqual(
        answers.slice(-2).map(([, lean]) => lean),
        ["NoSuchKey", "NoSuchBucket"],
      );
      const e = await failure(storage.delete("no-such-bucket", "k"));
      assert.equal(e.code, "NoSuchBucket");
    });

    it("copies with new metadata and tags (REPLACE directives) as the SDK would", async () => {
      await s3.client.send(new PutObjectCommand({ Bucket: "src", Key: "m", Body: "x", ContentType: "text/plain" }));
      await storage.copy(
        { bucket: "src", key: "m" },
        { bucket: "dst", key: "m2" },
        {
          ...COPY,
          metadataDirective: "Replaced",
          metadata: { contentType: "image/png", userMetadata: { team: "a b" } },
        },
      );
      const head = await s3.client.send(new HeadObjectCommand({ Bucket: "dst", Key: "m2" }));
      assert.equal(head.ContentType, "image/png");
      assert.deepEqual(head.Metadata, { team: "a b" });
    });
  });

  describe("sends the headers the SDK sends", () => {
    let server: Awaited<ReturnType<typeof scriptedServer>>;
    before(async () => {
      server = await scriptedServer();
    });
    after(() => server?.close());

    it("for every CopyObject field objbatch uses", async () => {
      const input = {
        Bucket: "dst",
        Key: "to/k ey",
        CopySource: "src/from/k%20ey?versionId=v1",
        ACL: "public-read",
        CacheControl: "max-age=60",
        ContentDisposition: "attachment",
        ContentEncoding: "gzip",
        ContentLanguage: "en",
        ContentType: "text/csv",
        CopySourceIfMatch: '"abc"',
        CopySourceIfModifiedSince: new Date("2020-01-02T03:04:05Z"),
        CopySourceIfUnmodifiedSince: new Date("2030-01-02T03:04:05.678Z"),
        Expires: new Date("2031-05-06T07:08:09Z"),
        GrantRead: 'id="r"',
        GrantReadACP: 'id="ra"',
        GrantWriteACP: 'id="wa"',
        GrantFullControl: 'id="fc"',
        Metadata: { team: "photos", "x-y": "1" },
        MetadataDirective: "REPLACE",
        TaggingDirective: "REPLACE",
        Tagging: "a=1&b=two%20words",
        ServerSideEncryption: "aws:kms",
        SSEKMSKeyId: "key-1",
        BucketKeyEnabled: false,
        ChecksumAlgorithm: "CRC32C",
        StorageClass: "STANDARD_IA",
        WebsiteRedirectLocation: "/elsewhere",
        RequestPayer: "requester",
        ObjectLockMode: "GOVERNANCE",
        ObjectLockRetainUntilDate: new Date("2032-01-01T00:00:00Z"),
        ObjectLockLegalHoldStatus: "ON",
      } as const;
      const config = resolveS3Config({
        kind: "s3",
        endpoint: server.endpoint,
        region: "us-east-1",
        accessKeyId: "AKID",
        secretAccessKey: "secret",
        forcePathStyle: true,
      });
      const clients = createS3Clients(config);
      try {
        await clients.single.send(new CopyObjectCommand(input));
        const headers = copyObjectHeaders(input);
        assert.ok(headers);
        const answer = await clients.signed.send({ method: "PUT", bucket: "dst", key: input.Key, headers });
        assert.ok(answer);
      } finally {
        clients.destroy();
      }
      const [bySdk, bySigned] = server.seen.slice(-2);
      const compared = (h: IncomingHttpHeaders) =>
        Object.fromEntries(
          Object.entries(h).filter(
            ([k]) =>
              (k.startsWith("x-amz-") || k.startsWith("content-") || ["cache-control", "expires"].includes(k)) &&
              !["x-amz-date", "x-amz-user-agent", "content-length"].includes(k),
          ),
        );
      assert.deepEqual(compared(bySigned!.headers), compared(bySdk!.headers));
      // The same path (the SDK adds ?x-id=CopyObject, which S3 ignores), signed for the same headers.
      assert.equal(bySigned!.url, bySdk!.url!.replace(/\?x-id=CopyObject$/, ""));
      const signedNames = (h: IncomingHttpHeaders) => /SignedHeaders=([^,]+)/.exec(String(h.authorization))?.[1];
      assert.equal(
        signedNames(bySigned!.headers),
        signedNames(bySdk!.headers)
          ?.split(";")
          .filter((n) => !n.startsWith("amz-sdk-") && n !== "x-amz-user-agent")
          .join(";"),
      );
    });

    it("leaves a field it does not know to the SDK", () => {
      assert.equal(
        copyObjectHeaders({ Bucket: "b", Key: "k", CopySource: "s/k", SSECustomerKey: "k" } as never),
        undefined,
      );
    });
  });

  describe("answers failures as the SDK path does", () => {
    let server: Awaited<ReturnType<typeof scriptedServer>>;
    let storage: S3Storage;
    let sdk: ReturnType<typeof createS3Clients>;
    before(async () => {
      server = await scriptedServer();
      storage = storageAt(server.endpoint);
      sdk = createS3Clients(
        resolveS3Config({
          kind: "s3",
          endpoint: server.endpoint,
          region: "us-east-1",
          accessKeyId: "AKID",
          secretAccessKey: "secret",
          forcePathStyle: true,
          idleTimeoutMs: 300,
        }),
      );
    });
    after(async () => {
      sdk?.destroy();
      await storage?.close();
      await server?.close();
    });

    const sdkCalls: Record<string, () => Promise<unknown>> = {
      copy: () => sdk.single.send(new CopyObjectCommand({ Bucket: "b", Key: "k", CopySource: "a/k" })),
      delete: () => sdk.single.send(new DeleteObjectCommand({ Bucket: "b", Key: "k" })),
    };
    const calls: [string, () => Promise<unknown>][] = [
      ["copy", () => storage.copy({ bucket: "a", key: "k" }, { bucket: "b", key: "k" }, COPY)],
      ["delete", () => storage.delete("b", "k")],
    ];
    const cases: [string, Behaviour, string, number, boolean][] = [
      ["503 SlowDown", xmlError(503, "SlowDown", "Please reduce your request rate."), "SlowDown", 503, true],
      [
        "500 InternalError",
        xmlError(500, "InternalError", "We encountered an internal error."),
        "InternalError",
        500,
        true,
      ],
      ["429 without a body", (_q, r) => r.writeHead(429).end(), "TooManyRequests", 429, true],
      [
        "502 with an HTML body",
        (_q, r) => r.writeHead(502).end("<html>bad gateway</html>"),
        "InternalError",
        502,
        true,
      ],
      ["400 RequestTimeout", xmlError(400, "RequestTimeout", "not read from"), "RequestTimeout", 400, true],
      ["403 AccessDenied", xmlError(403, "AccessDenied", "Access Denied"), "AccessDenied", 403, false],
      ["404 NoSuchBucket", xmlError(404, "NoSuchBucket", "no bucket"), "NoSuchBucket", 404, false],
      ["412 PreconditionFailed", xmlError(412, "PreconditionFailed", "no"), "PreconditionFailed", 412, false],
      ["501 NotImplemented", xmlError(501, "NotImplemented", "no"), "NotImplemented", 501, false],
      ["a dropped connection", (req) => req.socket.destroy(), "ConnectionError", 503, true],
      ["a server that never answers", () => {}, "RequestTimeout", 503, true],
    ];
    for (const [what, call] of calls) {
      for (const [name, behaviour, code, status, retryable] of cases) {
        it(`${what}: ${name} is ${code} ${status}, ${retryable ? "retryable" : "permanent"}, in one attempt`, async () => {
          server.answer(behaviour);
          const before = server.seen.length;
          const e = await failure(call());
          assert.deepEqual([e.code, e.httpStatus, e.retryable], [code, status, retryable]);
          assert.match(e.message, /b\/k/);
          assert.equal(server.seen.length - before, 1);
          // The SDK, sending the same request to the same answer, fails the same way.
          const bySdk = await failure(sdkCalls[what]!().catch((x) => Promise.reject(toStorageError(x, "b", "k"))));
          assert.deepEqual([bySdk.code, bySdk.httpStatus, bySdk.retryable], [code, status, retryable]);
        });
      }
    }

    it("copy: an <Error> inside a 200 answer is retryable server trouble", async () => {
      server.answer(xmlError(200, "InternalError", "We encountered an internal error. Please try again."));
      const e = await failure(calls[0]![1]());
      assert.deepEqual([e.code, e.httpStatus, e.retryable], ["InternalError", 500, true]);
    });

    it("a refused connection is a retryable ConnectionError", async () => {
      const dead = storageAt(`http://127.0.0.1:${await freePort()}`);
      try {
        const e = await failure(dead.delete("b", "k"));
        assert.deepEqual([e.code, e.retryable], ["ConnectionError", true]);
        assert.match(e.message, /ECONNREFUSED/);
      } finally {
        await dead.close();
      }
    });

    it("with maxAttempts 3 it tries a retryable failure three times, a permanent one once", async () => {
      const patient = storageAt(server.endpoint, { maxAttempts: 3 });
      try {
        server.answer(xmlError(500, "InternalError", "x"));
        let before = server.seen.length;
        await failure(patient.delete("b", "k"));
        assert.equal(server.seen.length - before, 3);
        server.answer(xmlError(403, "AccessDenied", "x"));
        before = server.seen.length;
        await failure(patient.delete("b", "k"));
        assert.equal(server.seen.length - before, 1);
        let n = 0;
        server.answer((q, r) => (n++ === 0 ? xmlError(503, "SlowDown", "x")(q, r) : r.writeHead(204).end()));
        await patient.delete("b", "k");
      } finally {
        await patient.close();
      }
    });

    it("puts every key in the path and the copy source exactly as the SDK does", async () => {
      server.answer((_q, r) => r.writeHead(200).end(COPY_RESULT));
      const keys = ["c+d", "per%cent", "x/../y", "./dot", "a b/é€", "!'()*~", "amp&eq=;,:@$", "//double", "trail/"];
      for (const key of keys) {
        await storage.delete("b", key);
        await sdk.single.send(new DeleteObjectCommand({ Bucket: "b", Key: key }));
        await storage.copy({ bucket: "a", key }, { bucket: "b", key }, COPY);
        await sdk.single.send(new CopyObjectCommand({ Bucket: "b", Key: key, CopySource: copySource("a", key) }));
        const [leanDelete, sdkDelete, leanCopy, sdkCopy] = server.seen.slice(-4);
        // The SDK adds ?x-id=<operation>, which S3 ignores.
        const bare = (url: string) => url.replace(/[?&]x-id=\w+$/, "");
        assert.equal(leanDelete!.url, bare(sdkDelete!.url), key);
        assert.equal(leanCopy!.url, bare(sdkCopy!.url), key);
        assert.equal(leanCopy!.headers["x-amz-copy-source"], sdkCopy!.headers["x-amz-copy-source"], key);
      }
    });

    it("deletes a version by its id, and reads the copy's ETag and version from the answer", async () => {
      server.answer((_q, r) => r.writeHead(204).end());
      await storage.delete("b", "k", "v 1");
      assert.equal(server.seen.at(-1)!.url, "/b/k?versionId=v%201");
      assert.equal(server.seen.at(-1)!.method, "DELETE");
      server.answer((_q, r) => r.writeHead(200, { "x-amz-version-id": "v9" }).end(COPY_RESULT));
      const written = await storage.copy({ bucket: "a", key: "k" }, { bucket: "b", key: "k" }, COPY);
      assert.deepEqual(written, { etag: '"0f343b0931126a20f133d67c2b018a3b"', versionId: "v9" });
    });
  });

  it("leaves a bucket whose endpoint needs another auth scheme to the SDK", async () => {
    const clients = createS3Clients(
      resolveS3Config({ kind: "s3", region: "us-west-2", accessKeyId: "a", secretAccessKey: "b" }),
    );
    try {
      // An S3 Express One Zone directory bucket: session auth, which only the SDK does.
      assert.equal(
        await clients.signed.send({ method: "DELETE", bucket: "photos--usw2-az1--x-s3", key: "k" }),
        undefined,
      );
    } finally {
      clients.destroy();
    }
  });

  it("reads S3's small XML answers: codes, messages and ETags with entities", () => {
    assert.equal(xmlText("<a><ETag>&quot;x&quot;</ETag></a>", "ETag"), '"x"');
    assert.equal(xmlText("<Message>a &lt;b&gt; &amp; &#233;&#x20AC;</Message>", "Message"), "a <b> & é€");
    assert.equal(xmlText("<a/>", "ETag"), undefined);
    const e = answerError({ status: 200, headers: {}, body: "<Error><Code>SlowDown</Code></Error>" });
    assert.equal((e as { name?: string })?.name, "SlowDown");
    assert.equal(answerError({ status: 204, headers: {}, body: "" }), undefined);
    assert.equal(encodeKey("a b/c+d/é!'()*"), "a%20b/c%2Bd/%C3%A9%21%27%28%29%2A");
  });
});
