/**
 * POST /api/v1/jobs/preview over real HTTP (helpers/json-api.ts: every answer checked against the OpenAPI
 * document), on a real SQLite store and the local storage backend in a temp dir. The preview's clock is the
 * test's: frozen (no deadline ever passes) unless a test makes it jump, so no assertion depends on the machine's
 * speed.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { LocalStorage } from "../../../src/storage/local/local-storage.js";
import {
  ALICE,
  BOB,
  DocumentChecker,
  type Json,
  JsonApiClient,
  type JsonApiServer,
  startJsonApiServer,
} from "../../helpers/json-api.js";
import { sqliteTestStore, type TestStore } from "../../helpers/stores.js";

/** Buckets the accounts may use; "secret" exists but is not among them, "nowhere" neither exists nor is. */
const ALLOWED = ["src", "dst", "reports", "manifests", "gen", "missing-*"];

let dir: string;
let storage: LocalStorage;
let store: TestStore;
let server: JsonApiServer;
let alice: JsonApiClient;
/** The preview's clock: each reading adds `step` ms. */
let clock = 0;
let step = 0;
/** Every object the test wrote, bucket/key, to show the previews wrote none. */
const written = new Set<string>();

async function put(bucket: string, key: string, body: string | Buffer): Promise<string> {
  written.add(`${bucket}/${key}`);
  return (await storage.put(bucket, key, body)).etag;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "objbatch-preview-"));
  storage = new LocalStorage({ dataDir: dir });
  for (const b of ["src", "dst", "reports", "manifests", "gen", "secret"]) await storage.createBucket(b);
  await put("src", "a.txt", "hello");
  await put("src", "dir/b c.txt", "hello world");
  await put("secret", "s.txt", "classified");
  await put("gen", "logs/1.log", "1");
  await put("gen", "logs/2.log", "22");
  await put("gen", "logs/3.log", "333");
  await put("gen", "other/x.bin", "xxxx");
  store = await sqliteTestStore();
  server = await startJsonApiServer(store, [ALICE, BOB], {
    maxBodyBytes: 64 * 1024,
    storage,
    previewNow: () => (clock += step),
    buckets: ALLOWED,
  });
  alice = new JsonApiClient(server.url, ALICE, await DocumentChecker.load(server.url));
});

after(async () => {
  await server.close();
  await store.dispose();
  await storage.close();
  await rm(dir, { recursive: true, force: true });
});

function csvJob(key: string, overrides: Record<string, unknown> = {}, etag?: string): Record<string, unknown> {
  return {
    operation: { kind: "DeleteObject" },
    manifest: {
      format: "S3BatchOperations_CSV_20180820",
      fields: ["Bucket", "Key"],
      location: { bucket: "arn:aws:s3:::manifests", key, ...(etag !== undefined ? { etag } : {}) },
    },
    report: { enabled: false },
    ...overrides,
  };
}

async function preview(body: unknown, query: Record<string, string> = {}): Promise<Json> {
  const r = await alice.call({ method: "POST", path: "/api/v1/jobs/preview", body, query });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

describe("POST /api/v1/jobs/preview", () => {
  it("counts a CSV manifest, HEADs the sample, and gives a copy's target keys", async () => {
    const etag = await put("manifests", "copy.csv", "src,a.txt\nsrc,missing.txt\r\nsrc,dir/b+c.txt\n");
    const p = await preview(
      csvJob(
        "copy.csv",
        {
          operation: { kind: "PutObjectCopy", targetResource: "arn:aws:s3:::dst", targetKeyPrefix: "copied" },
          report: { enabled: true, bucket: "arn:aws:s3:::reports" },
        },
        etag,
      ),
    );
    assert.equal(p.taskCount, 3);
    assert.equal(p.complete, true);
    assert.equal(p.totalBytes, undefined, "a CSV manifest does not know sizes");
    assert.deepEqual(p.problems, []);
    assert.equal(p.omittedProblems, 0);
    assert.deepEqual(p.sample, [
      { bucket: "src", key: "a.txt", exists: true, size: 5, targetBucket: "dst", targetKey: "copied/a.txt" },
      { bucket: "src", key: "missing.txt", exists: false, targetBucket: "dst", targetKey: "copied/missing.txt" },
      {
        bucket: "src",
        key: "dir/b c.txt",
        exists: true,
        size: 11,
        targetBucket: "dst",
        targetKey: "copied/dir/b c.txt",
      },
    ]);
  });

  it("shows the first `sample` tasks only, with version ids, and counts every one", async () => {
    await put("manifests", "versions.csv", "src,a.txt,v1\nsrc,a.txt,v2\nsrc,a.txt,v3\n");
    const p = await preview(
      csvJob("versions.csv", {
        manifest: {
          format: "S3BatchOperations_CSV_20180820",
          fields: ["Bucket", "Key", "VersionId"],
          location: { bucket: "arn:aws:s3:::manifests", key: "versions.csv" },
        },
      }),
      { sample: "2" },
    );
    assert.equal(p.taskCount, 3);
    assert.deepEqual(
      p.sample.map((t: Json) => [t.key, t.versionId]),
      [
        ["a.txt", "v1"],
        ["a.txt", "v2"],
      ],
    );
  });

  it("reports malformed rows with their line numbers, as the engine would fail them", async () => {
    const text = ["src,a.txt", "", "src", "src,%zz", '"src,a.txt', "src,dir/b+c.txt"].join("\n");
    await put("manifests", "bad.csv", text);
    const p = await preview(csvJob("bad.csv"));
    // The blank line is no task; the row with an unclosed quote runs to the end and is one (malformed) record.
    assert.equal(p.complete, true);
    assert.equal(p.taskCount, 4);
    assert.deepEqual(
      p.problems.map((x: Json) => [x.code, x.line]),
      [
        ["InvalidManifestRecord", 3],
        ["InvalidManifestRecord", 4],
        ["InvalidManifestRecord", 5],
      ],
    );
    assert.match(p.problems[0].message, /has 1 field, expected 2/);
    assert.match(p.problems[1].message, /not valid URL encoding/);
    assert.deepEqual(
      p.sample.map((t: Json) => t.key),
      ["a.txt"],
    );
  });

  it("lists at most 100 problems and counts the rest", async () => {
    const lines = Array.from({ length: 250 }, (_, i) => (i % 2 === 0 ? `src,k${i}` : "only-one-field"));
    await put("manifests", "many-bad.csv", `${lines.join("\n")}\n`);
    const p = await preview(csvJob("many-bad.csv"));
    assert.equal(p.taskCount, 250);
    assert.equal(p.problems.length, 100);
    assert.equal(p.omittedProblems, 25);
    assert.equal(p.problems[0].line, 2);
    assert.equal(p.problems[99].line, 200);
  });

  it("says which buckets the account may not use, and nothing about whether they exist", async () => {
    await put("manifests", "forbidden.csv", "src,a.txt\nsecret,s.txt\nnowhere,n.txt\nsecret,t.txt\n");
    const p = await preview(
      csvJob("forbidden.csv", {
        operation: { kind: "PutObjectCopy", targetResource: "arn:aws:s3:::secret" },
        report: { enabled: true, bucket: "arn:aws:s3:::nowhere" },
      }),
    );
    assert.equal(p.taskCount, 4);
    assert.equal(p.complete, true);
    assert.deepEqual(p.problems, [
      { code: "AccessDenied", message: "The job may not use the target bucket secret." },
      { code: "AccessDenied", message: "The job may not use the report bucket nowhere." },
      { code: "AccessDenied", message: "The job may not use the bucket secret.", line: 2 },
      { code: "AccessDenied", message: "The job may not use the bucket nowhere.", line: 3 },
    ]);
    // An object in a bucket the account may not use is never asked about, existing ("secret") or not ("nowhere").
    assert.deepEqual(p.sample.slice(1), [
      {
        bucket: "secret",
        key: "s.txt",
        exists: null,
        error: "AccessDenied",
        targetBucket: "secret",
        targetKey: "s.txt",
      },
      {
        bucket: "nowhere",
        key: "n.txt",
        exists: null,
        error: "AccessDenied",
        targetBucket: "secret",
        targetKey: "n.txt",
      },
      {
        bucket: "secret",
        key: "t.txt",
        exists: null,
        error: "AccessDenied",
        targetBucket: "secret",
        targetKey: "t.txt",
      },
    ]);

    // A manifest in such a bucket is not read, and the answer is the same whether it is there or not.
    await put("secret", "m.csv", "src,a.txt\n");
    const answers = [];
    for (const bucket of ["secret", "nowhere"]) {
      answers.push(
        await preview(
          csvJob("m.csv", {
            manifest: {
              format: "S3BatchOperations_CSV_20180820",
              fields: ["Bucket", "Key"],
              location: { bucket: `arn:aws:s3:::${bucket}`, key: "m.csv" },
            },
          }),
        ),
      );
    }
    for (const [i, bucket] of ["secret", "nowhere"].entries()) {
      assert.deepEqual(answers[i], {
        taskCount: 0,
        complete: false,
        sample: [],
        problems: [{ code: "AccessDenied", message: `The job may not use the manifest bucket ${bucket}.` }],
        omittedProblems: 0,
      });
    }
  });

  it("reports a missing report bucket and a missing copy target", async () => {
    await put("manifests", "one.csv", "src,a.txt\n");
    const p = await preview(
      csvJob("one.csv", {
        operation: { kind: "PutObjectCopy", targetResource: "arn:aws:s3:::missing-target" },
        report: { enabled: true, bucket: "arn:aws:s3:::missing-reports" },
      }),
    );
    assert.deepEqual(p.problems, [
      { code: "NoSuchBucket", message: "The target bucket missing-target does not exist." },
      { code: "NoSuchBucket", message: "The report bucket missing-reports does not exist." },
    ]);
    assert.equal(p.taskCount, 1);
  });

  it("gives a prefix-replacing copy's target keys, and the keys it would leave empty", async () => {
    await put("manifests", "replace.csv", "src,pic/a.jpg\nsrc,doc/b.txt\nsrc,pic/\n");
    const p = await preview(
      csvJob("replace.csv", {
        operation: {
          kind: "PutObjectCopy",
          targetResource: "arn:aws:s3:::dst",
          prefixReplace: true,
          resourcesPrefix: "pic/",
        },
      }),
    );
    assert.deepEqual(
      p.sample.map((t: Json) => t.targetKey),
      ["a.jpg", "doc/b.txt", ""],
    );
    assert.deepEqual(p.problems, [
      { code: "InvalidArgument", message: "The target key for pic/ is empty after applying the key prefix", line: 3 },
    ]);
  });

  it("reports a manifest ETag that does not match, and still shows what the object holds", async () => {
    await put("manifests", "etag.csv", "src,a.txt\n");
    const p = await preview(csvJob("etag.csv", {}, "0123456789abcdef0123456789abcdef"));
    assert.equal(p.problems.length, 1);
    assert.equal(p.problems[0].code, "ManifestETagMismatch");
    assert.match(p.problems[0].message, /0123456789abcdef0123456789abcdef/);
    assert.equal(p.taskCount, 1);
    assert.equal(p.complete, true);
  });

  it("reports a manifest object that is not there", async () => {
    const p = await preview(csvJob("no-such-manifest.csv"));
    assert.equal(p.complete, false);
    assert.equal(p.taskCount, 0);
    assert.equal(p.problems.length, 1);
    assert.equal(p.problems[0].code, "NoSuchKey");
  });

  it("previews a manifest generator: the filtered listing, with total bytes", async () => {
    const p = await preview({
      operation: { kind: "PutObjectCopy", targetResource: "arn:aws:s3:::dst", targetKeyPrefix: "archive/" },
      manifestGenerator: {
        kind: "S3JobManifestGenerator",
        sourceBucket: "arn:aws:s3:::gen",
        enableManifestOutput: true,
        manifestOutputLocation: {
          bucket: "arn:aws:s3:::missing-out",
          manifestFormat: "S3InventoryReport_CSV_20211130",
        },
        filter: { keyNameConstraint: { matchAnyPrefix: ["logs/"] }, objectSizeGreaterThanBytes: 1 },
      },
      report: { enabled: false },
    });
    assert.equal(p.taskCount, 2);
    assert.equal(p.complete, true);
    assert.equal(p.totalBytes, 5);
    assert.deepEqual(p.sample, [
      { bucket: "gen", key: "logs/2.log", exists: true, size: 2, targetBucket: "dst", targetKey: "archive/logs/2.log" },
      { bucket: "gen", key: "logs/3.log", exists: true, size: 3, targetBucket: "dst", targetKey: "archive/logs/3.log" },
    ]);
    assert.deepEqual(p.problems, [
      { code: "NoSuchBucket", message: "The manifest output bucket missing-out does not exist." },
    ]);
  });

  it("says when a generator matches nothing, or lists a bucket the account may not use", async () => {
    const generator = (bucket: string, prefix: string) => ({
      operation: { kind: "DeleteObject" },
      manifestGenerator: {
        kind: "KeyPrefixManifestGenerator",
        sourceBucket: `arn:aws:s3:::${bucket}`,
        prefix,
        enableManifestOutput: false,
      },
      report: { enabled: false },
    });
    const none = await preview(generator("gen", "nothing/"));
    assert.equal(none.taskCount, 0);
    assert.equal(none.complete, true);
    assert.deepEqual(
      none.problems.map((x: Json) => x.code),
      ["NoMatchingKeys"],
    );
    const secret = await preview(generator("secret", ""));
    assert.deepEqual(secret.problems, [
      { code: "AccessDenied", message: "The job may not use the source bucket secret." },
    ]);
    assert.equal(secret.complete, false);
  });

  it("previews an inventory report: its data files' tasks, a bad record as a problem", async () => {
    const data = gzipSync('"src","a.txt","","true","false"\n"src","gone.txt","v9","true","true"\n"src","%E5%8F"\n');
    await put("manifests", "inv/data/1.csv.gz", data);
    const manifestJson = JSON.stringify({
      sourceBucket: "src",
      fileFormat: "CSV",
      fileSchema: "Bucket, Key, VersionId, IsLatest, IsDeleteMarker",
      files: [
        { key: "inv/data/1.csv.gz", size: data.length, MD5checksum: createHash("md5").update(data).digest("hex") },
      ],
    });
    await put("manifests", "inv/manifest.json", manifestJson);
    const p = await preview({
      operation: { kind: "DeleteObject" },
      manifest: {
        format: "S3InventoryReport_CSV_20161130",
        fields: ["Bucket", "Key"],
        location: { bucket: "arn:aws:s3:::manifests", key: "inv/manifest.json" },
      },
      report: { enabled: false },
    });
    // The delete marker is no task; the record with a bad key is one that would fail.
    assert.equal(p.taskCount, 2);
    assert.equal(p.complete, true);
    assert.deepEqual(p.sample, [{ bucket: "src", key: "a.txt", exists: true, size: 5 }]);
    assert.deepEqual(
      p.problems.map((x: Json) => x.code),
      ["InvalidManifestRecord"],
    );
  });

  describe("a 1,000,000-line manifest", () => {
    const LINES = 1_000_000;
    before(async () => {
      const line = (i: number) => `src,key-${String(i).padStart(7, "0")}\n`;
      const bytes = Buffer.allocUnsafe(LINES * line(0).length);
      let at = 0;
      for (let i = 0; i < LINES; i++) at += bytes.write(line(i), at, "latin1");
      await put("manifests", "million.csv", bytes);
    });

    it("answers a lower bound, complete false, when its time runs out", async () => {
      step = 1000; // every reading of the clock is a second later: the deadline has passed at the first look
      try {
        const p = await preview(csvJob("million.csv"), { timeoutMs: "1", sample: "5" });
        assert.equal(p.complete, false);
        assert.ok(p.taskCount >= 5 && p.taskCount < LINES, `lower bound ${p.taskCount}`);
        assert.equal(p.sample.length, 5);
        assert.deepEqual(
          p.sample.map((t: Json) => [t.key, t.exists]),
          [0, 1, 2, 3, 4].map((i) => [`key-000000${i}`, false]),
        );
      } finally {
        step = 0;
      }
    });

    it("answers the exact count when the time is enough", async () => {
      const p = await preview(csvJob("million.csv"), { timeoutMs: "30000" });
      assert.equal(p.complete, true);
      assert.equal(p.taskCount, LINES);
      assert.deepEqual(p.problems, []);
      assert.equal(p.sample.length, 10);
    });
  });

  it("refuses options out of range and a body that is not a job, as problems", async () => {
    const badQueries: Record<string, string>[] = [
      { sample: "101" },
      { timeoutMs: "30001" },
      { timeoutMs: "0" },
      { sample: "x" },
      { other: "1" },
    ];
    for (const query of badQueries) {
      const r = await alice.call({ method: "POST", path: "/api/v1/jobs/preview", body: csvJob("one.csv"), query });
      assert.equal(r.status, 400, JSON.stringify(query));
      assert.equal(r.json.type, "urn:objbatch:problem:validation");
    }
    const r = await alice.call({
      method: "POST",
      path: "/api/v1/jobs/preview",
      body: { operation: { kind: "DeleteObject" } },
    });
    assert.equal(r.status, 400);
    const unsigned = await alice.call({
      method: "POST",
      path: "/api/v1/jobs/preview",
      body: csvJob("one.csv"),
      unsigned: true,
    });
    assert.equal(unsigned.status, 401);
  });

  it("stops listing a generator's bucket at the deadline, with the sample full", async () => {
    for (let i = 0; i < 600; i++) await put("gen", `many/${String(i).padStart(4, "0")}`, "x");
    step = 1000;
    try {
      const p = await preview(
        {
          operation: { kind: "DeleteObject" },
          manifestGenerator: {
            kind: "KeyPrefixManifestGenerator",
            sourceBucket: "arn:aws:s3:::gen",
            prefix: "many/",
            enableManifestOutput: false,
          },
          report: { enabled: false },
        },
        { timeoutMs: "1", sample: "3" },
      );
      assert.equal(p.complete, false);
      assert.ok(p.taskCount >= 3 && p.taskCount < 600, `lower bound ${p.taskCount}`);
      assert.equal(p.totalBytes, p.taskCount, "one byte each, as far as it read");
      assert.deepEqual(
        p.sample.map((t: Json) => t.key),
        ["many/0000", "many/0001", "many/0002"],
      );
    } finally {
      step = 0;
    }
  });

  it("answers 501 on a server that has no storage to preview with", async () => {
    const bare = await startJsonApiServer(store, [ALICE]);
    try {
      const client = new JsonApiClient(bare.url, ALICE, await DocumentChecker.load(bare.url));
      const r = await client.call({ method: "POST", path: "/api/v1/jobs/preview", body: csvJob("one.csv") });
      assert.equal(r.status, 501);
      assert.equal(r.json.type, "urn:objbatch:problem:not-implemented");
    } finally {
      await bare.close();
    }
  });

  it("created nothing: no job, no object", async () => {
    for (const client of [alice, alice.as(BOB)]) {
      const r = await client.get("/api/v1/jobs");
      assert.equal(r.status, 200);
      assert.deepEqual(r.json.jobs, []);
    }
    const found = new Set<string>();
    for (const b of ["src", "dst", "reports", "manifests", "gen", "secret"]) {
      for await (const o of storage.list(b)) found.add(`${b}/${o.key}`);
    }
    assert.deepEqual([...found].sort(), [...written].sort());
    for (const b of ["missing-target", "missing-reports", "missing-out", "nowhere"]) {
      assert.equal(await storage.bucketExists(b), false);
    }
  });
});
