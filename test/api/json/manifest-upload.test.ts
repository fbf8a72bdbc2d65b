/**
 * POST /api/v1/manifests (D38) on a real objbatch (startApp: the config file, the engine, a SQLite store, the
 * local storage in a temp dir) with a small maxManifestUploadBytes, every answer checked against the OpenAPI
 * document: the bytes land at `objbatch-manifests/<sha256>.csv` as sent, the same bytes twice answer the same, a
 * job created over the upload runs to Complete; the engine's bucket rules (an account's buckets, a role's)
 * refuse a bucket with nothing written; bad queries, an empty body, a body over the route's own limit (while one
 * over maxBodyBytes passes), a body that is not the one signed and an unsigned request are refused. A JSON API
 * server without storage answers 501, and one over a storage that fails answers 503 or 502.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { StorageError } from "../../../src/storage/errors.js";
import { LocalStorage } from "../../../src/storage/local/local-storage.js";
import type { ObjectStorage } from "../../../src/storage/types.js";
import { ROOT, startTestApp, type TestApp } from "../../helpers/app.js";
import {
  ALICE,
  type Answer,
  type Credentials,
  DocumentChecker,
  type Json,
  JsonApiClient,
  type JsonApiServer,
  startJsonApiServer,
} from "../../helpers/json-api.js";
import { sqliteTestStore, type TestStore } from "../../helpers/stores.js";

const KIB = 1024;
const MIB = 1024 * KIB;
/** The route's limit in this server: above the default maxBodyBytes (1 MiB), so 1.5 MiB passes and 2 MiB + 1 not. */
const MAX_UPLOAD = 2 * MIB;

const LIMITED: Credentials = {
  accountId: "333333333333",
  accessKeyId: "AKIAUPLOADLIMITED001",
  secretAccessKey: "upload-limited-secret",
};
const ROLES: Credentials = {
  accountId: "444444444444",
  accessKeyId: "AKIAUPLOADROLES00001",
  secretAccessKey: "upload-roles-secret",
};
const COPIER = "arn:aws:iam::444444444444:role/copier";

let app: TestApp;
let root: JsonApiClient;
let document: Json;

const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");

function upload(client: JsonApiClient, bytes: Buffer | string, query: Record<string, string>): Promise<Answer> {
  return client.call({
    method: "POST",
    path: "/api/v1/manifests",
    query,
    body: Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes),
    headers: { "content-type": "text/csv" },
  });
}

function assertProblem(r: Answer, status: number, type: string): void {
  assert.equal(r.status, status, r.text);
  assert.match(String(r.headers["content-type"]), /^application\/problem\+json/);
  assert.equal(r.json.status, status);
  assert.equal(r.json.type, `urn:objbatch:problem:${type}`);
}

async function objectText(bucket: string, key: string): Promise<string> {
  return text(await app.storage.get(bucket, key));
}

async function assertAbsent(bucket: string, key: string): Promise<void> {
  await assert.rejects(app.storage.head(bucket, key), (e: unknown) => (e as StorageError).code === "NoSuchKey");
}

/** Rows of `n` bytes at least: `src,<key>` lines, each naming an object of the `src` bucket. */
function csvOf(bytes: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `src,padding/object-${String(i).padStart(8, "0")}.txt\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join(""));
}

before(async () => {
  app = await startTestApp({
    engine: { runnerThreads: 0 },
    configFile: {
      maxManifestUploadBytes: MAX_UPLOAD,
      accounts: [
        {
          id: LIMITED.accountId,
          accessKeyId: LIMITED.accessKeyId,
          secretAccessKey: LIMITED.secretAccessKey,
          buckets: ["team-*"],
        },
        {
          id: ROLES.accountId,
          accessKeyId: ROLES.accessKeyId,
          secretAccessKey: ROLES.secretAccessKey,
          buckets: ["*"],
          roles: { [COPIER]: ["team-*"] },
        },
      ],
    },
  });
  for (const bucket of ["src", "dst", "manifests", "team-a"]) await app.storage.createBucket(bucket);
  await app.storage.put("src", "a.txt", "alpha");
  await app.storage.put("src", "dir/b.txt", "bravo");
  const checker = await DocumentChecker.load(app.url);
  document = checker.document;
  root = new JsonApiClient(app.url, ROOT, checker);
});

after(async () => {
  await app?.dispose();
});

describe("POST /api/v1/manifests", () => {
  it("writes the bytes at objbatch-manifests/<sha256>.csv and answers where, with the storage's ETag", async () => {
    const csv = "src,a.txt\nsrc,dir/b.txt\n";
    const r = await upload(root, csv, { bucket: "arn:aws:s3:::manifests" });
    assert.equal(r.status, 201, r.text);
    assert.match(String(r.headers["content-type"]), /^application\/json/);
    const key = `objbatch-manifests/${sha256(csv)}.csv`;
    const head = await app.storage.head("manifests", key);
    assert.deepEqual(r.json, { bucket: "manifests", key, etag: head.etag, size: csv.length, sha256: sha256(csv) });
    assert.match(r.json.etag, /^"[0-9a-f]{32}"$/);
    assert.equal(await objectText("manifests", key), csv);
    assert.equal(head.metadata.contentType, "text/csv");
  });

  it("answers the same for the same bytes, and another key for other bytes", async () => {
    const csv = "src,a.txt\n";
    const first = await upload(root, csv, { bucket: "manifests" });
    const again = await upload(root, csv, { bucket: "manifests" });
    assert.equal(first.status, 201, first.text);
    assert.equal(again.status, 201, again.text);
    assert.deepEqual(again.json, first.json);
    const other = await upload(root, "src,dir/b.txt\n", { bucket: "manifests" });
    assert.notEqual(other.json.key, first.json.key);
    assert.equal(await objectText("manifests", first.json.key), csv);
  });

  it("gives a job a manifest that runs to Complete", { timeout: 60_000 }, async () => {
    const up = await upload(root, "src,a.txt\nsrc,dir/b.txt\n", { bucket: "manifests" });
    assert.equal(up.status, 201, up.text);
    const created = await root.post("/api/v1/jobs", {
      operation: { kind: "PutObjectCopy", targetResource: "arn:aws:s3:::dst" },
      manifest: {
        format: "S3BatchOperations_CSV_20180820",
        fields: ["Bucket", "Key"],
        location: { bucket: up.json.bucket, key: up.json.key, etag: up.json.etag },
      },
      report: { enabled: false },
      clientRequestToken: "uploaded-manifest-1",
    });
    assert.equal(created.status, 201, created.text);
    let job: Json;
    for (let i = 0; i < 400; i++) {
      job = (await root.get(`/api/v1/jobs/${created.json.jobId}`)).json;
      if (["Complete", "Failed", "Cancelled"].includes(job.status)) break;
      await sleep(50);
    }
    assert.equal(job.status, "Complete", JSON.stringify(job));
    assert.equal(job.progress.succeeded, 2);
    assert.equal(job.progress.failed, 0);
    assert.equal(await objectText("dst", "a.txt"), "alpha");
    assert.equal(await objectText("dst", "dir/b.txt"), "bravo");
  });

  it("refuses a bucket the account may not use with 403, writing nothing", async () => {
    const limited = root.as(LIMITED);
    const csv = "src,a.txt\nlimited\n";
    const key = `objbatch-manifests/${sha256(csv)}.csv`;
    const refused = await upload(limited, csv, { bucket: "manifests" });
    assertProblem(refused, 403, "bucket-access-denied");
    assert.match(refused.json.detail, /manifests/);
    await assertAbsent("manifests", key);
    const allowed = await upload(limited, csv, { bucket: "team-a" });
    assert.equal(allowed.status, 201, allowed.text);
    assert.equal(await objectText("team-a", key), csv);
  });

  it("judges a bucket by the role's rules when the account has roles, as a job's", async () => {
    const roles = root.as(ROLES);
    const csv = "src,a.txt\nroles\n";
    const key = `objbatch-manifests/${sha256(csv)}.csv`;
    // No roleArn: the role a job created without one has (""), which this account does not configure.
    assertProblem(await upload(roles, csv, { bucket: "team-a" }), 403, "bucket-access-denied");
    assertProblem(await upload(roles, csv, { bucket: "manifests", roleArn: COPIER }), 403, "bucket-access-denied");
    await assertAbsent("team-a", key);
    await assertAbsent("manifests", key);
    const ok = await upload(roles, csv, { bucket: "team-a", roleArn: COPIER });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.json.key, key);
  });

  it("answers 404 for a bucket that does not exist", async () => {
    const r = await upload(root, "src,a.txt\n", { bucket: "nowhere" });
    assertProblem(r, 404, "no-such-bucket");
    assert.match(r.json.detail, /nowhere/);
  });

  it("refuses a bad or missing bucket reference and unknown or repeated parameters with 400 at ?name", async () => {
    for (const bucket of ["arn:aws:iam::1:role/x", "Not_A_Bucket", "qcs::cos:ap-guangzhou:uid/1:a"]) {
      const r = await upload(root, "src,a.txt\n", { bucket });
      assertProblem(r, 400, "validation");
      assert.deepEqual(
        r.json.errors.map((e: Json) => e.pointer),
        ["?bucket"],
        bucket,
      );
    }
    const missing = await upload(root, "src,a.txt\n", {});
    assertProblem(missing, 400, "validation");
    assert.ok(
      missing.json.errors.some((e: Json) => e.pointer.includes("bucket")),
      missing.text,
    );
    const unknown = await upload(root, "src,a.txt\n", { bucket: "manifests", colour: "red" });
    assertProblem(unknown, 400, "validation");
    assert.ok(
      unknown.json.errors.some((e: Json) => e.pointer === "?colour"),
      unknown.text,
    );
    const twice = await root.call({
      method: "POST",
      path: "/api/v1/manifests",
      query: { bucket: ["manifests", "team-a"] },
      body: Buffer.from("src,a.txt\n"),
    });
    assertProblem(twice, 400, "validation");
    // The other reference forms D2 accepts name the plain bucket.
    const cos = await upload(root, "src,a.txt\ncos\n", { bucket: "qcs::cos:ap-guangzhou::manifests" });
    assert.equal(cos.status, 201, cos.text);
    assert.equal(cos.json.bucket, "manifests");
    const oss = await upload(root, "src,a.txt\noss\n", { bucket: "acs:oss:cn-hangzhou:1:manifests" });
    assert.equal(oss.status, 201, oss.text);
    assert.equal(oss.json.bucket, "manifests");
  });

  it("refuses an empty manifest with 400", async () => {
    const r = await upload(root, "", { bucket: "manifests" });
    assertProblem(r, 400, "validation");
    assert.match(r.json.detail, /empty/);
  });

  it("takes a body over maxBodyBytes up to maxManifestUploadBytes, and no more (413 naming that limit)", async () => {
    const ok = csvOf(1.5 * MIB);
    assert.ok(ok.length > MIB && ok.length < MAX_UPLOAD);
    const r = await upload(root, ok, { bucket: "manifests" });
    assert.equal(r.status, 201, r.text.slice(0, 300));
    assert.equal(r.json.size, ok.length);
    assert.equal(
      sha256(await app.storage.get("manifests", r.json.key).then((s) => s.toArray().then(Buffer.concat))),
      sha256(ok),
    );

    const big = csvOf(MAX_UPLOAD + 1);
    const tooBig = await upload(root, big, { bucket: "manifests" });
    assertProblem(tooBig, 413, "body-too-large");
    assert.match(tooBig.json.detail, new RegExp(`${MAX_UPLOAD} bytes`));
    await assertAbsent("manifests", `objbatch-manifests/${sha256(big)}.csv`);

    // Every other route keeps the API's maxBodyBytes (1 MiB).
    const job = await root.call({
      method: "POST",
      path: "/api/v1/jobs",
      body: Buffer.concat([Buffer.from('{"description": "'), Buffer.alloc(1.5 * MIB, "x"), Buffer.from('"}')]),
      headers: { "content-type": "application/json" },
    });
    assertProblem(job, 413, "body-too-large");
    assert.match(job.json.detail, new RegExp(`${MIB} bytes`));
  });

  it("refuses a body that is not the one its x-amz-content-sha256 names, writing nothing", async () => {
    const csv = "src,a.txt\ntampered\n";
    const r = await root.call({
      method: "POST",
      path: "/api/v1/manifests",
      query: { bucket: "manifests" },
      body: Buffer.from(csv),
      headers: { "content-type": "text/csv", "x-amz-content-sha256": sha256("src,a.txt\n") },
    });
    assertProblem(r, 400, "invalid-digest");
    await assertAbsent("manifests", `objbatch-manifests/${sha256(csv)}.csv`);
  });

  it("refuses an unsigned request with 401, before reading its body", async () => {
    const r = await root.call({
      method: "POST",
      path: "/api/v1/manifests",
      query: { bucket: "manifests" },
      body: csvOf(MAX_UPLOAD + 1),
      unsigned: true,
    });
    assertProblem(r, 401, "unauthenticated");
  });

  it("takes a console session's cookie and CSRF token too", async () => {
    const signIn = await root.call({
      method: "POST",
      path: "/api/v1/session",
      body: { accessKeyId: ROOT.accessKeyId, secretAccessKey: ROOT.secretAccessKey },
      unsigned: true,
      payloadHash: "none",
    });
    assert.equal(signIn.status, 201, signIn.text);
    const setCookie = signIn.headers["set-cookie"];
    const cookie = String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(";")[0]!;
    const inSession = (csrf: Record<string, string>) =>
      root.call({
        method: "POST",
        path: "/api/v1/manifests",
        query: { bucket: "manifests" },
        body: Buffer.from("src,a.txt\nsession\n"),
        unsigned: true,
        payloadHash: "none",
        headers: { "content-type": "text/csv", cookie, ...csrf },
      });
    assertProblem(await inSession({}), 403, "csrf-token-invalid");
    const r = await inSession({ "x-csrf-token": signIn.json.csrfToken });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.sha256, sha256("src,a.txt\nsession\n"));
  });

  it("is documented with a text/csv body, its limit and its problems", () => {
    const op = document.paths["/api/v1/manifests"].post;
    assert.equal(op.operationId, "uploadManifest");
    assert.deepEqual(Object.keys(op.requestBody.content), ["text/csv"]);
    assert.match(op.requestBody.content["text/csv"].schema.description, new RegExp(String(MAX_UPLOAD)));
    assert.deepEqual(
      op.parameters.filter((p: Json) => p.in === "query").map((p: Json) => [p.name, p.required]),
      [
        ["bucket", true],
        ["roleArn", false],
      ],
    );
    assert.equal(op.responses["201"].content["application/json"].schema.$ref, "#/components/schemas/ManifestUpload");
    for (const status of ["400", "401", "403", "404", "413", "501", "502", "503"])
      assert.ok(op.responses[status], status);
    assert.equal(op.responses["415"], undefined);
  });
});

describe("POST /api/v1/manifests on a server without storage, or with a storage that fails", () => {
  type Mode = "ok" | "slow-down" | "refused";
  let dir: string;
  let local: LocalStorage;
  let mode: Mode = "ok";
  let store: TestStore;
  let bare: JsonApiServer;
  let failing: JsonApiServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "objbatch-manifest-upload-"));
    local = new LocalStorage({ dataDir: dir });
    await local.createBucket("manifests");
    // The local storage, with a put that fails as `mode` says (what S3 answers when it is overloaded or refuses).
    const storage: ObjectStorage = Object.assign(Object.create(local) as ObjectStorage, {
      put: (...args: Parameters<ObjectStorage["put"]>) => {
        if (mode === "slow-down") throw new StorageError("SlowDown", 503, "Please reduce your request rate.", true);
        if (mode === "refused") throw new StorageError("AccessDenied", 403, "Access Denied", false);
        return local.put(...args);
      },
    });
    store = await sqliteTestStore();
    bare = await startJsonApiServer(store, [ALICE]);
    failing = await startJsonApiServer(store, [ALICE], { storage, maxManifestUploadBytes: 4 * KIB });
  });

  after(async () => {
    await bare?.close();
    await failing?.close();
    await store?.dispose();
    await local?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers 501 from a server that has no storage", async () => {
    const alice = new JsonApiClient(bare.url, ALICE, await DocumentChecker.load(bare.url));
    assertProblem(await upload(alice, "src,a.txt\n", { bucket: "manifests" }), 501, "not-implemented");
  });

  it("answers 503 with Retry-After when the storage asks to slow down, 502 when it refuses", async () => {
    const alice = new JsonApiClient(failing.url, ALICE, await DocumentChecker.load(failing.url));
    mode = "slow-down";
    const slow = await upload(alice, "src,a.txt\n", { bucket: "manifests" });
    assertProblem(slow, 503, "manifest-storage-unavailable");
    assert.ok(Number(slow.headers["retry-after"]) > 0);
    assert.match(slow.json.detail, /SlowDown/);
    mode = "refused";
    const refused = await upload(alice, "src,a.txt\n", { bucket: "manifests" });
    assertProblem(refused, 502, "manifest-storage-failed");
    assert.match(refused.json.detail, /AccessDenied \(403\)/);
    mode = "ok";
    const ok = await upload(alice, "src,a.txt\n", { bucket: "manifests" });
    assert.equal(ok.status, 201, ok.text);
    // The helper's server takes its limit from the parts too.
    assertProblem(await upload(alice, csvOf(4 * KIB + 1), { bucket: "manifests" }), 413, "body-too-large");
  });
});
