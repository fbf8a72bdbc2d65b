/**
 * The report routes of the JSON API (D29) against a storage that misbehaves on purpose, over real HTTP on a real
 * SQLite store with the engine off: a storage that asks to slow down answers 503 with Retry-After, one that
 * refuses answers 502, a server without storage answers 503; a results file is streamed with backpressure (the
 * storage is read only as fast as the client reads) and one that breaks mid-way cuts that answer only. Every
 * JSON answer is checked against the OpenAPI document.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { StorageError } from "../../../src/storage/errors.js";
import type { ObjectInfo, ObjectStorage } from "../../../src/storage/types.js";
import {
  ALICE,
  type Answer,
  BOB,
  createRequest,
  DocumentChecker,
  JsonApiClient,
  type JsonApiServer,
  startJsonApiServer,
} from "../../helpers/json-api.js";
import { sqliteTestStore, type TestStore } from "../../helpers/stores.js";

const MIB = 1024 * 1024;
const BIG = 64 * MIB;

type Mode = "ok" | "slow-down" | "refused" | "big" | "broken";

/** Serves one results file of BIG bytes (zeros, made as they are read) and fails as `mode` says. */
class FakeStorage {
  mode: Mode = "ok";
  /** Bytes the current stream has produced. */
  produced = 0;
  readonly text = "reports,a.jpg,,succeeded,200,,Successful\n";

  storage(): ObjectStorage {
    const self = this;
    const info = (bucket: string, key: string, size: number): ObjectInfo => ({
      bucket,
      key,
      size,
      etag: '"0123456789abcdef0123456789abcdef"',
      lastModified: new Date(0),
      storageClass: "STANDARD",
      metadata: {},
      archived: false,
    });
    const fail = () => {
      if (self.mode === "slow-down") throw new StorageError("SlowDown", 503, "Please reduce your request rate.", true);
      if (self.mode === "refused") throw new StorageError("AccessDenied", 403, "Access Denied", false);
    };
    const methods: Partial<ObjectStorage> = {
      description: "fake",
      async head(bucket, key) {
        fail();
        return info(bucket, key, self.mode === "big" || self.mode === "broken" ? BIG : Buffer.byteLength(self.text));
      },
      async get() {
        fail();
        if (self.mode === "ok") return Readable.from([Buffer.from(self.text)]);
        self.produced = 0;
        const broken = self.mode === "broken";
        return new Readable({
          highWaterMark: 64 * 1024,
          read() {
            if (broken && self.produced >= 4 * MIB) {
              this.destroy(new StorageError("InternalError", 500, "the connection to storage was reset", true));
              return;
            }
            if (self.produced >= BIG) {
              this.push(null);
              return;
            }
            self.produced += 64 * 1024;
            this.push(Buffer.alloc(64 * 1024));
          },
        });
      },
    };
    return new Proxy(methods as ObjectStorage, {
      get: (target, name) =>
        name in target
          ? target[name as keyof ObjectStorage]
          : () => {
              throw new Error(`the report routes called storage.${String(name)}`);
            },
    });
  }
}

let store: TestStore;
let fake: FakeStorage;
let server: JsonApiServer;
let bare: JsonApiServer;
let alice: JsonApiClient;
let aliceBare: JsonApiClient;
let jobId: string;

function assertProblem(r: Answer, status: number, type: string) {
  assert.equal(r.status, status, r.text.slice(0, 500));
  assert.match(String(r.headers["content-type"]), /^application\/problem\+json/);
  assert.equal(r.json.type, `urn:objbatch:problem:${type}`);
}

/** A signed GET whose answer the caller reads at its own pace. */
async function openGet(baseUrl: string, path: string, method = "GET"): Promise<IncomingMessage> {
  const base = new URL(baseUrl);
  const signer = new SignatureV4({
    credentials: { accessKeyId: ALICE.accessKeyId, secretAccessKey: ALICE.secretAccessKey },
    region: "eu-central-1",
    service: "objbatch",
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: true,
    applyChecksum: false,
  });
  const signed = await signer.sign({
    method,
    protocol: "http:",
    hostname: base.hostname,
    path,
    query: {},
    headers: { host: base.host, "x-amz-content-sha256": createHash("sha256").update("").digest("hex") },
  });
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: base.hostname, port: base.port, method, path, headers: signed.headers }, resolve);
    req.on("error", reject);
    req.end();
  });
}

before(async () => {
  store = await sqliteTestStore();
  fake = new FakeStorage();
  server = await startJsonApiServer(store, [ALICE, BOB], { storage: fake.storage() });
  bare = await startJsonApiServer(store, [ALICE, BOB]);
  const checker = await DocumentChecker.load(server.url);
  alice = new JsonApiClient(server.url, ALICE, checker);
  aliceBare = new JsonApiClient(bare.url, ALICE, checker);
  const created = await alice.post(
    "/api/v1/jobs",
    createRequest({ report: { enabled: true, bucket: "arn:aws:s3:::reports", prefix: "r" } }),
  );
  assert.equal(created.status, 201, created.text);
  jobId = created.json.jobId;
  assert.ok(
    await store.store.startReportFile(jobId, {
      status: "succeeded",
      index: 0,
      key: `r/job-${jobId}/results/done.csv`,
      uploadId: null,
      parts: [],
      bytes: Buffer.byteLength(fake.text),
      throughSeq: 0,
      md5State: "",
      md5: "d41d8cd98f00b204e9800998ecf8427e",
      completed: true,
    }),
  );
});

after(async () => {
  await server.close();
  await bare.close();
  await store.dispose();
});

describe("the report routes against a failing storage", () => {
  const path = () => `/api/v1/jobs/${jobId}/report/files/succeeded/0`;

  it("streams a completed file with its length and ETag", async () => {
    fake.mode = "ok";
    const r = await alice.get(path());
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, fake.text);
    assert.equal(r.headers["content-length"], String(Buffer.byteLength(fake.text)));
    assert.equal(r.headers.etag, '"0123456789abcdef0123456789abcdef"');
  });

  it("answers 503 with Retry-After when the storage asks to slow down, 502 when it refuses", async () => {
    fake.mode = "slow-down";
    const slow = await alice.get(path());
    assertProblem(slow, 503, "report-storage-unavailable");
    assert.ok(Number(slow.headers["retry-after"]) > 0);
    assert.match(slow.json.detail, /SlowDown/);
    fake.mode = "refused";
    const refused = await alice.get(path());
    assertProblem(refused, 502, "report-storage-failed");
    assert.match(refused.json.detail, /AccessDenied \(403\)/);
  });

  it("reads the manifest of a finished job through the same storage: its failures are problems too", async () => {
    const finished = await alice.post(
      "/api/v1/jobs",
      createRequest({ report: { enabled: true, bucket: "arn:aws:s3:::reports" } }),
    );
    const id = finished.json.jobId;
    for (const [from, to] of [
      ["New", "Cancelling"],
      ["Cancelling", "Cancelled"],
    ]) {
      assert.ok(await store.store.transition(id, from as never, to as never, Date.now()));
    }
    fake.mode = "slow-down";
    assertProblem(await alice.get(`/api/v1/jobs/${id}/report`), 503, "report-storage-unavailable");
    // A job still running needs no storage to describe its report.
    const running = await alice.get(`/api/v1/jobs/${jobId}/report`);
    assert.equal(running.status, 200, running.text);
    assert.equal(running.json.state, "writing");
    assert.equal(running.json.files[0].downloadPath, path());
  });

  it("answers 503 from a server that has no storage, and 404 to another account", async () => {
    assertProblem(await aliceBare.get(path()), 503, "report-storage-unavailable");
    assertProblem(await alice.as(BOB).get(path()), 404, "no-such-job");
  });

  it("reads the storage only as fast as the client reads the answer (backpressure)", { timeout: 60_000 }, async () => {
    fake.mode = "big";
    const res = await openGet(server.url, path());
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["content-length"], String(BIG));
    res.pause();
    await sleep(300);
    // Socket and stream buffers hold a few MiB at most; the file is 64 MiB.
    assert.ok(fake.produced < 16 * MIB, `read ahead of the client: ${fake.produced} bytes`);
    let received = 0;
    res.on("data", (d: Buffer) => {
      received += d.length;
    });
    res.resume();
    await new Promise((resolve) => res.on("end", resolve));
    assert.equal(received, BIG);
    assert.equal(fake.produced, BIG);
  });

  it("answers HEAD with the file's headers without reading it", async () => {
    fake.mode = "big";
    fake.produced = 0;
    const res = await openGet(server.url, path(), "HEAD");
    res.resume();
    await new Promise((resolve) => res.on("end", resolve));
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["content-length"], String(BIG));
    assert.match(String(res.headers["content-type"]), /^text\/csv/);
    assert.ok(fake.produced <= 1 * MIB, `HEAD read ${fake.produced} bytes of the file`);
  });

  it("cuts only the answer whose storage stream breaks mid-way; the server carries on", async () => {
    fake.mode = "broken";
    const res = await openGet(server.url, path());
    assert.equal(res.statusCode, 200);
    let received = 0;
    const ended = await new Promise<string>((resolve) => {
      res.on("data", (d: Buffer) => {
        received += d.length;
      });
      res.on("end", () => resolve("end"));
      res.on("aborted", () => resolve("aborted"));
      res.on("error", () => resolve("error"));
      res.on("close", () => resolve("close"));
    });
    assert.ok(received < BIG, `${ended}: ${received} bytes of ${BIG}`);
    fake.mode = "ok";
    const again = await alice.get(path());
    assert.equal(again.status, 200, again.text);
  });
});
