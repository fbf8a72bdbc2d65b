/**
 * The Google dialect's errors over raw HTTP (D46): every refusal is google.rpc.Status JSON with its canonical
 * name and HTTP code; authentication (no token, other schemes, SigV4, unknown, expired and revoked tokens),
 * projects (the account's id and its alias work, another account's project is NOT_FOUND), locations, malformed
 * and oversized bodies, hostile ids, unknown routes and methods, the account's cap on unfinished jobs, and the
 * store going away (UNAVAILABLE with Retry-After). Real objbatch, engine off.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ROOT } from "../helpers/app.js";
import { type FreezableProxy, freezableProxy, throughPort } from "../helpers/store-faults.js";
import { createPgDatabase } from "../helpers/stores.js";
import { type GcsAnswer, type GcsTestApp, gcsCall, issueToken, OTHER, prefixJob, startGcsApp } from "./gcs-client.js";

const HOLD = prefixJob("photos", { putObjectHold: { temporaryHold: "SET" } });

function assertGoogleError(r: GcsAnswer, code: number, status: string, message?: RegExp) {
  assert.equal(r.status, code, r.text);
  assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
  assert.equal(r.json?.error?.code, code, r.text);
  assert.equal(r.json.error.status, status, r.text);
  assert.equal(typeof r.json.error.message, "string");
  const info = r.json.error.details.find((d: { "@type": string }) => d["@type"].endsWith("google.rpc.ErrorInfo"));
  assert.equal(info.domain, "storagebatchoperations.googleapis.com");
  if (message) assert.match(r.json.error.message, message);
}

function fieldViolations(r: GcsAnswer): { field: string; description: string }[] {
  const bad = r.json.error.details.find((d: { "@type": string }) => d["@type"].endsWith("google.rpc.BadRequest"));
  return bad?.fieldViolations ?? [];
}

describe("Google dialect errors", () => {
  let g: GcsTestApp;

  before(async () => {
    g = await startGcsApp({
      configFile: {
        accounts: [
          {
            id: OTHER.accountId,
            accessKeyId: "AKIDOTHEREXAMPLE00001",
            secretAccessKey: "other-secret-key-for-tests-only-01",
            buckets: ["*"],
            projects: [OTHER.project],
          },
          {
            id: "3000000001",
            accessKeyId: "AKIDCAPPEDEXAMPLE0001",
            secretAccessKey: "capped-secret-key-for-tests-only-1",
            buckets: ["*"],
            projects: ["capped-project"],
            maxUnfinishedJobs: 1,
          },
        ],
      },
    });
  });
  after(() => g.app.dispose());

  describe("authentication", () => {
    it("refuses a request without credentials with UNAUTHENTICATED and WWW-Authenticate: Bearer", async () => {
      const r = await gcsCall(g.app.url, "GET", `${g.base}/jobs`);
      assertGoogleError(r, 401, "UNAUTHENTICATED", /missing required authentication credential/);
      assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer /);
    });

    it("refuses other schemes, SigV4 signatures included", async () => {
      for (const authorization of [
        "Basic dXNlcjpwYXNz",
        "AWS4-HMAC-SHA256 Credential=AKIDROOTEXAMPLE000001/20261207/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00",
        "Bearer",
      ]) {
        const r = await gcsCall(g.app.url, "GET", `${g.base}/jobs`, { headers: { authorization } });
        assertGoogleError(r, 401, "UNAUTHENTICATED");
      }
    });

    it("refuses an unknown, an expired and a revoked token", async () => {
      const unknown = await gcsCall(g.app.url, "GET", `${g.base}/jobs`, { token: "obt_not-a-token" });
      assertGoogleError(unknown, 401, "UNAUTHENTICATED");
      const expired = await issueToken(g.app, ROOT.accountId, 1000, new Date(Date.now() - 60_000));
      const r = await gcsCall(g.app.url, "GET", `${g.base}/jobs`, { token: expired });
      assertGoogleError(r, 401, "UNAUTHENTICATED", /expired/);
      const issued = await g.app.accessTokens.issue({ accountId: ROOT.accountId, ttlMs: 3_600_000, now: new Date() });
      assert.equal((await gcsCall(g.app.url, "GET", `${g.base}/jobs`, { token: issued.token })).status, 200);
      await g.app.accessTokens.revoke(ROOT.accountId, issued.info.tokenId, new Date());
      const revoked = await gcsCall(g.app.url, "GET", `${g.base}/jobs`, { token: issued.token });
      assertGoogleError(revoked, 401, "UNAUTHENTICATED", /revoked/);
    });

    it("does not take a bearer token on the other dialects' routes", async () => {
      const r = await gcsCall(g.app.url, "GET", "/v20180820/jobs", { token: g.token });
      assert.ok(r.status === 403 || r.status === 400, `${r.status} ${r.text}`);
      const json = await gcsCall(g.app.url, "GET", "/api/v1/jobs", { token: g.token });
      assert.equal(json.status, 401, json.text);
    });
  });

  describe("projects and locations", () => {
    it("takes the account's id and its configured alias, and answers NOT_FOUND for any other project", async () => {
      const other = await issueToken(g.app, OTHER.accountId);
      const byAlias = await gcsCall(g.app.url, "GET", `/v1/projects/${OTHER.project}/locations/global/jobs`, {
        token: other,
      });
      assert.equal(byAlias.status, 200, byAlias.text);
      const byId = await gcsCall(g.app.url, "GET", `/v1/projects/${OTHER.accountId}/locations/global/jobs`, {
        token: other,
      });
      assert.equal(byId.status, 200, byId.text);
      // The root's token on the other account's project, and on a project nobody has: the same answer.
      const theirs = await g.call("GET", `/v1/projects/${OTHER.project}/locations/global/jobs`);
      assertGoogleError(theirs, 404, "NOT_FOUND");
      const nobodys = await g.call("GET", "/v1/projects/nobody-project/locations/global/jobs");
      assertGoogleError(nobodys, 404, "NOT_FOUND");
      assert.equal(
        theirs.json.error.message.replace(OTHER.project, "P"),
        nobodys.json.error.message.replace("nobody-project", "P"),
      );
      const create = await g.call("POST", `/v1/projects/${OTHER.project}/locations/global/jobs?jobId=x1`, {
        body: HOLD,
      });
      assertGoogleError(create, 404, "NOT_FOUND");
    });

    it("keeps another account's jobs out of sight: get, cancel and delete answer NOT_FOUND", async () => {
      const created = await g.call("POST", `${g.base}/jobs?jobId=mine-only`, { body: HOLD });
      assert.equal(created.status, 200, created.text);
      const other = await issueToken(g.app, OTHER.accountId);
      const base = `/v1/projects/${OTHER.project}/locations/global`;
      for (const [method, path] of [
        ["GET", `${base}/jobs/mine-only`],
        ["POST", `${base}/jobs/mine-only:cancel`],
        ["DELETE", `${base}/jobs/mine-only`],
        ["GET", `${base}/operations/${created.json.name.split("/").pop()}`],
      ] as const) {
        assertGoogleError(await gcsCall(g.app.url, method, path, { token: other }), 404, "NOT_FOUND");
      }
    });

    it("serves locations/global only", async () => {
      const r = await g.call("GET", `/v1/projects/${ROOT.accountId}/locations/us-central1/jobs`);
      assertGoogleError(r, 400, "INVALID_ARGUMENT", /locations\/global/);
      const list = await g.call("GET", `/v1/projects/${ROOT.accountId}/locations`);
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(list.json.locations, [
        { name: `projects/${ROOT.accountId}/locations/global`, locationId: "global", displayName: "Global" },
      ]);
      assertGoogleError(await g.call("GET", `/v1/projects/${ROOT.accountId}/locations/us-east1`), 404, "NOT_FOUND");
    });
  });

  describe("requests", () => {
    it("refuses malformed JSON, a body that is not a Job, and an oversized body", async () => {
      assertGoogleError(await g.call("POST", `${g.base}/jobs`, { body: "{not json" }), 400, "INVALID_ARGUMENT");
      assertGoogleError(await g.call("POST", `${g.base}/jobs`, { body: "[1,2]" }), 400, "INVALID_ARGUMENT");
      assertGoogleError(await g.call("POST", `${g.base}/jobs`), 400, "INVALID_ARGUMENT");
      const huge = { ...HOLD, description: "x".repeat(2 * 1024 * 1024) };
      assertGoogleError(
        await g.call("POST", `${g.base}/jobs`, { body: huge }),
        400,
        "INVALID_ARGUMENT",
        /maximum size/,
      );
    });

    it("names the wrong field: unknown fields, wrong types, two transformations, two sources, missing ones", async () => {
      const cases: [unknown, string][] = [
        [{ ...HOLD, colour: "blue" }, "job.colour"],
        [{ ...HOLD, description: 5 }, "job.description"],
        [{ ...HOLD, dryRun: "yes" }, "job.dryRun"],
        [{ ...HOLD, deleteObject: { permanentObjectDeletionEnabled: true } }, "job.transformation"],
        [{ bucketList: HOLD.bucketList }, "job.transformation"],
        [{ putObjectHold: { temporaryHold: "SET" } }, "job.bucketList"],
        [
          {
            ...HOLD,
            bucketList: {
              buckets: [{ bucket: "photos", prefixList: {}, manifest: { manifestLocation: "gs://photos/m.csv" } }],
            },
          },
          "job.bucketList.buckets[0]",
        ],
        [
          {
            ...HOLD,
            bucketList: {
              buckets: [
                { bucket: "a-bucket", prefixList: {} },
                { bucket: "b-bucket", prefixList: {} },
              ],
            },
          },
          "job.bucketList.buckets",
        ],
        [
          { ...HOLD, bucketList: { buckets: [{ bucket: "../etc", prefixList: {} }] } },
          "job.bucketList.buckets[0].bucket",
        ],
        [{ ...HOLD, putObjectHold: { temporaryHold: "MAYBE" } }, "job.putObjectHold.temporaryHold"],
        [{ ...HOLD, putObjectHold: {} }, "job.putObjectHold"],
        [
          {
            ...HOLD,
            bucketList: { buckets: [{ bucket: "photos", manifest: { manifestLocation: "s3://photos/m.csv" } }] },
          },
          "job.bucketList.buckets[0].manifest.manifestLocation",
        ],
        [
          { ...HOLD, loggingConfig: { logActions: ["TRANSFORM"], logActionStates: ["MAYBE"] } },
          "job.loggingConfig.logActionStates[0]",
        ],
      ];
      for (const [body, field] of cases) {
        const r = await g.call("POST", `${g.base}/jobs`, { body });
        assertGoogleError(r, 400, "INVALID_ARGUMENT");
        assert.deepEqual(
          fieldViolations(r).map((v) => v.field),
          [field],
          `${JSON.stringify(body).slice(0, 200)}: ${r.text}`,
        );
      }
    });

    it("refuses bad jobIds and requestIds, unknown query parameters and other alt values", async () => {
      for (const jobId of ["UPPER", "-dash", "a".repeat(129), "a/b", "a..b"]) {
        const r = await g.call("POST", `${g.base}/jobs?jobId=${encodeURIComponent(jobId)}`, { body: HOLD });
        assertGoogleError(r, 400, "INVALID_ARGUMENT");
        assert.deepEqual(
          fieldViolations(r).map((v) => v.field),
          ["job_id"],
        );
      }
      const zero = await g.call("POST", `${g.base}/jobs?requestId=00000000-0000-0000-0000-000000000000`, {
        body: HOLD,
      });
      assertGoogleError(zero, 400, "INVALID_ARGUMENT");
      assertGoogleError(await g.call("GET", `${g.base}/jobs?colour=blue`), 400, "INVALID_ARGUMENT", /colour/);
      assertGoogleError(await g.call("GET", `${g.base}/jobs?alt=media`), 400, "INVALID_ARGUMENT");
      assertGoogleError(await g.call("GET", `${g.base}/jobs?pageSize=x`), 400, "INVALID_ARGUMENT");
      assertGoogleError(await g.call("GET", `${g.base}/jobs?pageToken=bm9wZQ`), 400, "INVALID_ARGUMENT");
      assertGoogleError(await g.call("GET", `${g.base}/jobs?orderBy=name`), 400, "INVALID_ARGUMENT");
      assertGoogleError(await g.call("GET", `${g.base}/jobs?filter=colour%3Dblue`), 400, "INVALID_ARGUMENT");
      assertGoogleError(await g.call("GET", `${g.base}/jobs?pageSize=1&pageSize=2`), 400, "INVALID_ARGUMENT");
    });

    it("answers hostile and unknown job ids with NOT_FOUND", async () => {
      for (const id of [
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e",
        "no-such-job",
        "a".repeat(300),
        "%00",
        "00000000-0000-0000-0000-000000000000",
      ]) {
        assertGoogleError(await g.call("GET", `${g.base}/jobs/${id}`), 404, "NOT_FOUND");
        assertGoogleError(await g.call("DELETE", `${g.base}/jobs/${id}`), 404, "NOT_FOUND");
        assertGoogleError(await g.call("POST", `${g.base}/jobs/${id}:cancel`), 404, "NOT_FOUND");
      }
      const traversal = await g.call("GET", "/v1/projects/..%2F..%2Fetc%2Fpasswd/locations/global/jobs");
      assertGoogleError(traversal, 404, "NOT_FOUND");
    });

    it("answers unknown routes and methods under /v1 with NOT_FOUND in Google's format", async () => {
      for (const [method, path] of [
        ["GET", "/v1/nothing"],
        ["GET", "/v1"],
        ["PUT", `${g.base}/jobs`],
        ["PATCH", `${g.base}/jobs/x`],
        ["POST", `${g.base}/jobs/x:pause`],
        ["PUT", `${g.base}/operations/x`],
        ["GET", `${g.base}/jobs/x/colours`],
      ] as const) {
        const r = await g.call(method, path, { body: method === "GET" ? undefined : {} });
        assertGoogleError(r, 404, "NOT_FOUND");
      }
    });

    it("maps the account's cap on unfinished jobs to RESOURCE_EXHAUSTED", async () => {
      const token = await issueToken(g.app, "3000000001");
      const path = "/v1/projects/capped-project/locations/global/jobs";
      const first = await gcsCall(g.app.url, "POST", `${path}?jobId=one`, { token, body: HOLD });
      assert.equal(first.status, 200, first.text);
      const second = await gcsCall(g.app.url, "POST", `${path}?jobId=two`, { token, body: HOLD });
      assertGoogleError(second, 429, "RESOURCE_EXHAUSTED");
    });

    it("refuses a projectSource job as UNIMPLEMENTED", async () => {
      const r = await g.call("POST", `${g.base}/jobs`, {
        body: { projectSource: { project: "p" }, putObjectHold: { temporaryHold: "SET" } },
      });
      assertGoogleError(r, 501, "UNIMPLEMENTED");
    });
  });
});

describe("Google dialect while the store is unavailable", () => {
  let database: Awaited<ReturnType<typeof createPgDatabase>>;
  let proxy: FreezableProxy;
  let port: number;
  let g: GcsTestApp;

  before(async () => {
    database = await createPgDatabase();
    proxy = freezableProxy(new URL(database.url));
    port = await proxy.listen();
    g = await startGcsApp({ storeUrl: throughPort(database.url, port) });
  });
  after(async () => {
    await g.app.dispose().catch(() => undefined);
    await proxy.close().catch(() => undefined);
    await database.drop();
  });

  it("answers UNAVAILABLE (503, Retry-After) and serves again when the store is back", async () => {
    const created = await g.call("POST", `${g.base}/jobs?jobId=before-outage`, { body: HOLD });
    assert.equal(created.status, 200, created.text);
    await proxy.close();
    for (const r of [
      await g.call("GET", `${g.base}/jobs/before-outage`),
      await g.call("GET", `${g.base}/jobs`),
      await g.call("POST", `${g.base}/jobs?jobId=during-outage`, { body: HOLD }),
    ]) {
      assertGoogleError(r, 503, "UNAVAILABLE");
      assert.ok(Number(r.headers.get("retry-after")) > 0);
    }
    await proxy.listen(port);
    const again = await g.call("GET", `${g.base}/jobs/before-outage`);
    assert.equal(again.status, 200, again.text);
  });
});
