/**
 * The gcloud tier (D47): the real gcloud CLI (Google Cloud SDK 528) against a running objbatch, one call at a
 * time. Every `gcloud storage batch-operations jobs` command and create flag gcloud 528 has: create from a
 * manifest (--manifest-location) and from prefixes (--included-object-prefixes) with each transformation
 * (--put-metadata with content fields, Custom-Time and custom keys; --rewrite-object kms-key=...;
 * --delete-object with and without --enable-permanent-object-deletion; --[no-]put-object-temporary-hold and
 * --[no-]put-object-event-based-hold), --description, --log-actions/--log-action-states; describe until done;
 * list with --page-size and --limit, as JSON and as gcloud's table; cancel a running job; delete; the errors
 * gcloud shows for an unknown job, another account's project and an expired token, with its exit codes; and a job
 * created through COS as gcloud shows it.
 *
 * objbatch runs in this process on 127.0.0.1:0 with a temporary data dir: buckets `gcs-local-*` are local
 * directories, `gcs3-*` are routed to a real s3rver, `gcs3held-*` to the same s3rver through a proxy that holds
 * DELETEs until the test lets them through (a job stays Active, with no timer, while it is cancelled), and
 * `gcs3seen-*` through one that records what objbatch sent (s3rver takes no KMS key). Objects
 * are checked on disk (through the local backend) and on s3rver (with the AWS SDK). gcloud's token is minted as
 * the README says, with `objbatch login --print-access-token` (the CLI run from its sources). gcloud 528 has no
 * --dry-run flag, so dry runs are left to the raw-HTTP tests.
 *
 * Skipped when /usr/bin/gcloud is missing (OBJBATCH_GCLOUD names another); `.ci/run` runs it where gcloud is.
 * Over 400 lines: one objbatch, one s3rver and one gcloud configuration serve every command; each gcloud call
 * costs about two seconds of start-up, so files of their own would only add servers.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { createJob, dropFiles, makeBuckets, writeManifest } from "../test/e2e/helpers.js";
import { startTestApp, type TestApp } from "../test/helpers/app.js";
import { type S3rverHandle, startS3rver } from "../test/helpers/s3rver.js";
import { type GateProxy, startGateProxy } from "./gate-proxy.js";
import { type GcloudSession, gcloudInstalled, gcloudSession } from "./gcloud-cli.js";

const MEDIA = { id: "731000000001", accessKeyId: "AKIDGCLOUDMEDIA00001", secretAccessKey: "gcloud-media-secret" };
const OTHER = { id: "731000000002", accessKeyId: "AKIDGCLOUDOTHER00002", secretAccessKey: "gcloud-other-secret" };
const PROJECT = "media-project";
const OTHER_PROJECT = "other-project";
const LOCAL = "gcs-local-photos";
const SCRATCH = "gcs-local-scratch";
const S3 = "gcs3-media";
const HELD = "gcs3held-archive";
const VAULT = "gcs3seen-vault";
const KMS_KEY = "projects/media-project/locations/global/keyRings/ring/cryptoKeys/key-1";
const DONE = ["SUCCEEDED", "FAILED", "CANCELED"];
const jobsCommand = ["storage", "batch-operations", "jobs"] as const;
const CLI_MAIN = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const run = promisify(execFile);

// biome-ignore lint/suspicious/noExplicitAny: gcloud's JSON output, any Job
type Json = any;

let app: TestApp;
let s3: S3rverHandle;
let gate: GateProxy;
let recorder: GateProxy;
let gcloud: GcloudSession;
let token: string;

/** `objbatch login --print-access-token --name gcloud-tier` (the CLI from its sources) as `account`: the token. */
async function printAccessToken(endpoint: string, account: typeof MEDIA): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), "objbatch-gcloud-cli-"));
  try {
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", CLI_MAIN, "login", "--print-access-token", "--name", "gcloud-tier", "--expires-in", "2h"],
      {
        env: {
          ...process.env,
          OBJBATCH_ENDPOINT: endpoint,
          OBJBATCH_ACCESS_KEY: account.accessKeyId,
          OBJBATCH_SECRET_KEY: account.secretAccessKey,
          XDG_CONFIG_HOME: work,
        },
      },
    );
    assert.match(stdout, /^obt_\S+\n$/, "one line: the token");
    return stdout.trim();
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** `gcloud storage batch-operations jobs <args> --access-token-file=<token>`, which must succeed. */
async function jobs(...args: string[]) {
  return gcloud.ok([...jobsCommand, ...args, `--access-token-file=${token}`]);
}

/** The same, that may fail. */
async function jobsMayFail(...args: string[]) {
  return gcloud.run([...jobsCommand, ...args, `--access-token-file=${token}`]);
}

async function describeJson(jobId: string): Promise<Json> {
  return JSON.parse((await jobs("describe", jobId, "--format=json")).stdout);
}

/** `gcloud ... describe` until the job is done (each call is a whole gcloud start-up: no sleeping between). */
async function describeUntilDone(jobId: string, attempts = 40): Promise<Json> {
  let job: Json;
  for (let i = 0; i < attempts; i++) {
    job = await describeJson(jobId);
    if (DONE.includes(job.state)) return job;
  }
  assert.fail(`job ${jobId} not done after ${attempts} describes: ${JSON.stringify(job)}`);
}

/** Creates with gcloud and checks what it printed. */
async function create(jobId: string, ...flags: string[]) {
  const r = await jobs("create", jobId, ...flags);
  assert.match(r.stderr, new RegExp(`Created batch job: projects/${PROJECT}/locations/global/jobs/${jobId}`));
  return r;
}

const onLocalDisk = (bucket: string, key: string) =>
  stat(join(app.dataDir, "buckets", bucket, key)).then(
    () => true,
    () => false,
  );

async function s3Keys(bucket: string): Promise<string[]> {
  const out = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

before(async () => {
  // Asked for by name (npm run test:gcloud; .ci/run only where gcloud is): without it the tier fails, never skips.
  if (!gcloudInstalled())
    throw new Error("the gcloud tier needs the Google Cloud CLI at /usr/bin/gcloud (or OBJBATCH_GCLOUD)");
  s3 = await startS3rver({ buckets: [S3, HELD, VAULT] });
  recorder = await startGateProxy(s3.endpoint, () => false);
  gate = await startGateProxy(s3.endpoint, (req) => req.method === "DELETE" || req.url?.includes("delete") === true);
  app = await startTestApp({
    // Chunks of two, one at a time: a job whose first deletes are held has the rest not yet started.
    engine: { pollMs: 20, chunkSize: 2, chunkSlots: 1 },
    configFile: {
      accounts: [
        { ...MEDIA, buckets: ["*"], projects: [PROJECT] },
        { ...OTHER, buckets: ["*"], projects: [OTHER_PROJECT] },
      ],
      storage: [
        { buckets: ["gcs3held-*"], ...s3.storageConfig({ endpoint: gate.url }) },
        { buckets: ["gcs3seen-*"], ...s3.storageConfig({ endpoint: recorder.url }) },
        { buckets: ["gcs3-*"], ...s3.storageConfig() },
      ],
    },
  });
  await makeBuckets(app, LOCAL);
  gcloud = await gcloudSession(`${app.url}/`, PROJECT);
  // The token as the README mints it: `objbatch login --print-access-token`, signed with the account's key.
  token = await gcloud.tokenFile("media", await printAccessToken(app.url, MEDIA));
});

after(async () => {
  // Held requests go on, so a failed test leaves no chunk waiting on the proxy while objbatch shuts down.
  gate?.open();
  await gcloud?.dispose();
  await app?.dispose();
  await gate?.close();
  await recorder?.close();
  await s3?.stop();
});

describe("gcloud storage batch-operations jobs", () => {
  it("create --manifest-location --delete-object, with --description and logging: deletes what the manifest lists", async () => {
    await dropFiles(app, LOCAL, {
      "old/1.txt": "one",
      "old/2.txt": "two",
      "keep.txt": "kept",
      "manifests/delete.csv": `projectId,bucketId,objectId\n${PROJECT},${LOCAL},old/1.txt\n${PROJECT},${LOCAL},old/2.txt\n${PROJECT},${LOCAL},old/missing.txt\n`,
    });
    await create(
      "delete-from-manifest",
      `--bucket=${LOCAL}`,
      `--manifest-location=gs://${LOCAL}/manifests/delete.csv`,
      "--delete-object",
      "--description=clear the old photos",
      "--log-actions=transform",
      "--log-action-states=succeeded,failed",
    );
    const job = await describeUntilDone("delete-from-manifest");
    assert.equal(job.name, `projects/${PROJECT}/locations/global/jobs/delete-from-manifest`);
    assert.equal(job.description, "clear the old photos");
    assert.deepEqual(job.bucketList, {
      buckets: [{ bucket: LOCAL, manifest: { manifestLocation: `gs://${LOCAL}/manifests/delete.csv` } }],
    });
    assert.deepEqual(job.deleteObject, { permanentObjectDeletionEnabled: false });
    assert.deepEqual(job.loggingConfig, { logActions: ["TRANSFORM"], logActionStates: ["SUCCEEDED", "FAILED"] });
    assert.equal(job.state, "SUCCEEDED");
    // Deleting an object that is already gone succeeds, as an S3 DeleteObject does.
    assert.deepEqual(job.counters, { totalObjectCount: "3", succeededObjectCount: "3", failedObjectCount: "0" });
    assert.equal(job.errorSummaries, undefined);
    assert.match(job.createTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.ok(Date.parse(job.completeTime) >= Date.parse(job.createTime));
    assert.equal(await onLocalDisk(LOCAL, "old/1.txt"), false);
    assert.equal(await onLocalDisk(LOCAL, "old/2.txt"), false);
    assert.equal(await onLocalDisk(LOCAL, "keep.txt"), true);
  });

  it("create --included-object-prefixes --put-metadata: content fields, Custom-Time and custom keys on s3rver", async () => {
    for (const Key of ["2024/a.jpg", "2024/b.jpg", "2025/c.jpg", "raw/d.jpg"]) {
      await s3.client.send(
        new PutObjectCommand({ Bucket: S3, Key, Body: `bytes of ${Key}`, Metadata: { origin: "camera" } }),
      );
    }
    await create(
      "label-photos",
      `--bucket=${S3}`,
      "--included-object-prefixes=2024/,2025/",
      "--put-metadata=Content-Type=image/jpeg,Cache-Control=max-age=60,Content-Language=en,Custom-Time=2025-01-02T03:04:05Z,team=photos",
    );
    const job = await describeUntilDone("label-photos");
    assert.equal(job.state, "SUCCEEDED", JSON.stringify(job));
    assert.deepEqual(job.bucketList, {
      buckets: [{ bucket: S3, prefixList: { includedObjectPrefixes: ["2024/", "2025/"] } }],
    });
    assert.deepEqual(job.putMetadata, {
      cacheControl: "max-age=60",
      contentLanguage: "en",
      contentType: "image/jpeg",
      customMetadata: { team: "photos" },
      customTime: "2025-01-02T03:04:05Z",
    });
    assert.deepEqual(job.counters, { totalObjectCount: "3", succeededObjectCount: "3", failedObjectCount: "0" });
    for (const Key of ["2024/a.jpg", "2024/b.jpg", "2025/c.jpg"]) {
      const head = await s3.client.send(new HeadObjectCommand({ Bucket: S3, Key }));
      assert.equal(head.ContentType, "image/jpeg", Key);
      assert.equal(head.CacheControl, "max-age=60", Key);
      assert.equal(head.ContentLanguage, "en", Key);
      // Custom-Time has no S3 field: objbatch keeps it as the user metadata entry custom-time (RFC 3339).
      const { "custom-time": customTime, ...rest } = head.Metadata ?? {};
      assert.deepEqual(rest, { origin: "camera", team: "photos" }, Key);
      assert.equal(Date.parse(customTime ?? ""), Date.parse("2025-01-02T03:04:05Z"), Key);
    }
    const untouched = await s3.client.send(new HeadObjectCommand({ Bucket: S3, Key: "raw/d.jpg" }));
    assert.deepEqual(untouched.Metadata, { origin: "camera" });
  });

  it("create --rewrite-object kms-key=...: the job is kept as sent; a local bucket has no KMS, so each object fails with the cause", async () => {
    await dropFiles(app, LOCAL, { "secret/a.bin": "a", "secret/b.bin": "b" });
    await create(
      "rewrite-secrets",
      `--bucket=${LOCAL}`,
      "--included-object-prefixes=secret/",
      `--rewrite-object=kms-key=${KMS_KEY}`,
    );
    const job = await describeUntilDone("rewrite-secrets");
    assert.deepEqual(job.rewriteObject, { kmsKey: KMS_KEY });
    assert.deepEqual(job.counters, { totalObjectCount: "2", succeededObjectCount: "0", failedObjectCount: "2" });
    assert.equal(job.errorSummaries[0].errorCode, "UNIMPLEMENTED");
    assert.equal(job.errorSummaries[0].errorCount, "2");
    const samples = job.errorSummaries[0].errorLogEntries as { objectUri: string; errorDetails: string[] }[];
    assert.deepEqual(samples.map((e) => e.objectUri).sort(), [
      `gs://${LOCAL}/secret/a.bin`,
      `gs://${LOCAL}/secret/b.bin`,
    ]);
    assert.match(samples[0]!.errorDetails.join(" "), /501 NotImplemented/);
    assert.equal(await readFile(join(app.dataDir, "buckets", LOCAL, "secret/a.bin"), "utf8"), "a");
  });

  it("create --rewrite-object on s3rver: each object copied onto itself under the KMS key, if its ETag still matches", async () => {
    for (const Key of ["keys/a.pem", "keys/b.pem"]) {
      await s3.client.send(
        new PutObjectCommand({
          Bucket: VAULT,
          Key,
          Body: `pem ${Key}`,
          ContentType: "application/x-pem-file",
          Metadata: { owner: "ops" },
        }),
      );
    }
    await create(
      "rewrite-vault",
      `--bucket=${VAULT}`,
      "--included-object-prefixes=keys/",
      `--rewrite-object=kms-key=${KMS_KEY}`,
    );
    const job = await describeUntilDone("rewrite-vault");
    // What objbatch asked of the storage, seen at the recording proxy: a CopyObject of each object onto itself
    // with SSE-KMS under the job's key, conditional on the ETag it had just read (AWS and Ceph take this as an
    // encryption change).
    const copies = recorder.seen().filter((r) => r.method === "PUT" && r.headers["x-amz-copy-source"] !== undefined);
    assert.deepEqual(copies.map((r) => r.url.split("?")[0]).sort(), [`/${VAULT}/keys/a.pem`, `/${VAULT}/keys/b.pem`]);
    for (const copy of copies) {
      assert.equal(copy.headers["x-amz-copy-source"], copy.url.split("?")[0]!.slice(1));
      assert.equal(copy.headers["x-amz-server-side-encryption"], "aws:kms");
      assert.equal(copy.headers["x-amz-server-side-encryption-aws-kms-key-id"], KMS_KEY);
      assert.match(String(copy.headers["x-amz-copy-source-if-match"]), /^"[0-9a-f]{32}"$/);
    }
    // s3rver has no KMS and refuses a copy onto itself that changes only the encryption (400 InvalidRequest):
    // each object fails with that cause, shown as Google's INVALID_ARGUMENT, and stays as it was.
    assert.equal(job.state, "SUCCEEDED", JSON.stringify(job));
    assert.deepEqual(job.counters, { totalObjectCount: "2", succeededObjectCount: "0", failedObjectCount: "2" });
    assert.equal(job.errorSummaries[0].errorCode, "INVALID_ARGUMENT");
    assert.deepEqual(job.errorSummaries[0].errorLogEntries[0].errorDetails, ["HTTP 400 InvalidRequest"]);
    for (const Key of ["keys/a.pem", "keys/b.pem"]) {
      const head = await s3.client.send(new HeadObjectCommand({ Bucket: VAULT, Key }));
      assert.equal(head.ContentType, "application/x-pem-file", Key);
      assert.deepEqual(head.Metadata, { owner: "ops" }, Key);
    }
  });

  it("create --delete-object --enable-permanent-object-deletion with prefixes: deletes on s3rver", async () => {
    await create(
      "purge-raw",
      `--bucket=${S3}`,
      "--included-object-prefixes=raw/",
      "--delete-object",
      "--enable-permanent-object-deletion",
    );
    const job = await describeUntilDone("purge-raw");
    assert.equal(job.state, "SUCCEEDED", JSON.stringify(job));
    assert.deepEqual(job.deleteObject, { permanentObjectDeletionEnabled: true });
    assert.deepEqual(await s3Keys(S3), ["2024/a.jpg", "2024/b.jpg", "2025/c.jpg"]);
  });

  it("create --included-object-prefixes= (empty, as gcloud sends it: no prefixes): every object of the bucket", async () => {
    await makeBuckets(app, SCRATCH);
    await dropFiles(app, SCRATCH, { "a.tmp": "a", "deep/b.tmp": "b" });
    await create("empty-scratch", `--bucket=${SCRATCH}`, "--included-object-prefixes=", "--delete-object");
    const job = await describeUntilDone("empty-scratch");
    assert.equal(job.state, "SUCCEEDED", JSON.stringify(job));
    assert.equal(job.counters.succeededObjectCount, "2");
    assert.equal(await onLocalDisk(SCRATCH, "a.tmp"), false);
    assert.equal(await onLocalDisk(SCRATCH, "deep/b.tmp"), false);
  });

  it("create --put-object-temporary-hold / --no-put-object-temporary-hold / --[no-]put-object-event-based-hold", async () => {
    await dropFiles(app, LOCAL, { "legal/contract.pdf": "signed" });
    const holds = async () => (await app.storage.head(LOCAL, "legal/contract.pdf")).objectLock;

    await create(
      "hold-both",
      `--bucket=${LOCAL}`,
      "--included-object-prefixes=legal/",
      "--put-object-temporary-hold",
      "--put-object-event-based-hold",
    );
    let job = await describeUntilDone("hold-both");
    assert.deepEqual(job.putObjectHold, { temporaryHold: "SET", eventBasedHold: "SET" });
    assert.equal(job.state, "SUCCEEDED", JSON.stringify(job));
    assert.equal((await holds())?.legalHold, "ON");
    assert.equal((await holds())?.eventBasedHold, true);

    // A held object cannot be deleted: the delete job's object fails, and the file stays.
    await create("delete-held", `--bucket=${LOCAL}`, "--included-object-prefixes=legal/", "--delete-object");
    job = await describeUntilDone("delete-held");
    assert.equal(job.counters.failedObjectCount, "1", JSON.stringify(job));
    assert.equal(await onLocalDisk(LOCAL, "legal/contract.pdf"), true);

    await create(
      "release-temporary",
      `--bucket=${LOCAL}`,
      "--included-object-prefixes=legal/",
      "--no-put-object-temporary-hold",
    );
    job = await describeUntilDone("release-temporary");
    assert.deepEqual(job.putObjectHold, { temporaryHold: "UNSET" });
    assert.equal((await holds())?.legalHold, "OFF");
    assert.equal((await holds())?.eventBasedHold, true, "a hold the job leaves out is left as it is");

    await create(
      "release-event",
      `--bucket=${LOCAL}`,
      "--included-object-prefixes=legal/",
      "--no-put-object-event-based-hold",
    );
    job = await describeUntilDone("release-event");
    assert.deepEqual(job.putObjectHold, { eventBasedHold: "UNSET" });
    assert.notEqual((await holds())?.eventBasedHold, true);
  });

  // A bound on the wait for the first held request, so a job that never gets there fails instead of hanging CI.
  it("cancels a running job", { timeout: 300_000 }, async () => {
    for (let i = 0; i < 8; i++) {
      await s3.client.send(new PutObjectCommand({ Bucket: HELD, Key: `tapes/t${i}.bin`, Body: `tape ${i}` }));
    }
    await create("purge-tapes", `--bucket=${HELD}`, "--included-object-prefixes=tapes/", "--delete-object");
    // The job's deletes are held at the proxy: it is Active with tasks in flight until the gate opens.
    await gate.waitForHeld(1);
    assert.equal((await describeJson("purge-tapes")).state, "RUNNING");
    const r = await jobs("cancel", "purge-tapes");
    assert.match(r.stderr, new RegExp(`Canceled batch job: projects/${PROJECT}/locations/global/jobs/purge-tapes`));
    gate.open();
    const job = await describeUntilDone("purge-tapes");
    assert.equal(job.state, "CANCELED");
    const left = await s3Keys(HELD);
    assert.ok(left.length >= 4, `a cancelled job leaves the objects it did not reach: ${left.join(", ")}`);
    assert.ok(Number(job.counters.succeededObjectCount) <= 4, JSON.stringify(job.counters));
  });

  it("shows a COS job in gcloud: its nearest Google transformation and objbatch's operation, by its objbatch id", async () => {
    await dropFiles(app, LOCAL, { "tagged/x.txt": "x" });
    await writeManifest(app, LOCAL, "manifests/tags.csv", LOCAL, ["tagged/x.txt"]);
    const jobId = await createJob(
      app,
      {
        manifest: `qcs::cos:ap-chengdu::${LOCAL}/manifests/tags.csv`,
        operation:
          "<COSPutObjectTagging><TagSet><COSTag><Key>stage</Key><Value>done</Value></COSTag></TagSet></COSPutObjectTagging>",
        description: "tagged through COS",
      },
      { appId: MEDIA.id, secretId: MEDIA.accessKeyId, secretKey: MEDIA.secretAccessKey },
    );
    const job = await describeUntilDone(jobId);
    assert.equal(job.name, `projects/${PROJECT}/locations/global/jobs/${jobId}`);
    assert.equal(job.state, "SUCCEEDED", JSON.stringify(job));
    assert.equal(job.description, "tagged through COS");
    assert.deepEqual(job.objbatchOperation, { kind: "PutObjectTagging" });
    assert.ok(job.updateObjectCustomContext, JSON.stringify(job));
    assert.deepEqual(await app.storage.getTagging(LOCAL, "tagged/x.txt"), [{ key: "stage", value: "done" }]);
  });

  it("lists with --page-size (following nextPageToken), --limit, --filter and --sort-by, as JSON and as gcloud's table", async () => {
    const all = JSON.parse((await jobs("list", "--format=json")).stdout) as Json[];
    const ids = all.map((j) => j.name.split("/").pop());
    for (const id of [
      "delete-from-manifest",
      "label-photos",
      "rewrite-secrets",
      "purge-raw",
      "purge-tapes",
      "hold-both",
    ]) {
      assert.ok(ids.includes(id), `${id} listed: ${ids.join(", ")}`);
    }
    assert.equal(new Set(ids).size, ids.length, "each job once");

    const paged = await jobs("list", "--page-size=2", "--format=json", "--log-http");
    const pagedIds = (JSON.parse(paged.stdout) as Json[]).map((j) => j.name.split("/").pop());
    assert.deepEqual(pagedIds, ids, "the same jobs in the same order, two a page");
    const requests = paged.stderr.match(/uri: \S+\/jobs\?\S+/g) ?? [];
    assert.equal(requests.length, Math.ceil(ids.length / 2), requests.join("\n"));
    assert.ok(
      requests.slice(1).every((u) => u.includes("pageToken=")),
      requests.join("\n"),
    );

    const limited = JSON.parse((await jobs("list", "--limit=3", "--format=json")).stdout) as Json[];
    assert.deepEqual(
      limited.map((j) => j.name.split("/").pop()),
      ids.slice(0, 3),
    );

    // --filter and --sort-by are gcloud's own, applied to what the list returned.
    const canceled = JSON.parse((await jobs("list", "--filter=state=CANCELED", "--format=json")).stdout) as Json[];
    assert.deepEqual(
      canceled.map((j) => j.name.split("/").pop()),
      ["purge-tapes"],
    );
    const sorted = JSON.parse((await jobs("list", "--sort-by=createTime", "--format=json")).stdout) as Json[];
    assert.deepEqual(
      sorted.map((j) => j.name.split("/").pop()),
      [...ids].reverse(),
      "oldest first, where objbatch lists newest first",
    );

    const table = (await jobs("list")).stdout.split("\n");
    assert.match(
      table[0]!,
      /^BATCH_JOB_ID\s+SOURCE\s+TRANSFORMATION\s+CREATE_TIME\s+COUNTERS\s+ERROR_SUMMARIES\s+STATE$/,
    );
    assert.ok(
      table.some((line) => /^label-photos\s.*SUCCEEDED$/.test(line)),
      table.join("\n"),
    );
    assert.ok(
      table.some((line) => /^purge-tapes\s.*CANCELED$/.test(line)),
      table.join("\n"),
    );

    const yaml = (await jobs("describe", "label-photos")).stdout;
    assert.match(yaml, new RegExp(`^name: projects/${PROJECT}/locations/global/jobs/label-photos$`, "m"));
    assert.match(yaml, /^state: SUCCEEDED$/m);
  });

  it("deletes a finished job", async () => {
    const r = await jobs("delete", "purge-raw");
    assert.match(r.stderr, new RegExp(`Deleted batch job: projects/${PROJECT}/locations/global/jobs/purge-raw`));
    const gone = await jobsMayFail("describe", "purge-raw");
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /NOT_FOUND/);
  });

  it("shows objbatch's errors as gcloud shows Google's: unknown job, another account's project, an expired token", async () => {
    const unknown = await jobsMayFail("describe", "no-such-job");
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.stderr,
      new RegExp(
        `^ERROR: \\(gcloud\\.storage\\.batch-operations\\.jobs\\.describe\\) NOT_FOUND: Job projects/${PROJECT}/locations/global/jobs/no-such-job was not found\\.`,
        "m",
      ),
    );
    assert.match(unknown.stderr, /authenticated with an access token from .*media\.token/, "gcloud's own hint");

    const cancelUnknown = await jobsMayFail("cancel", "no-such-job");
    assert.equal(cancelUnknown.code, 1);
    assert.match(cancelUnknown.stderr, /jobs\.cancel\) NOT_FOUND: Job \S+\/no-such-job was not found\./);

    // The other account's project is not found for this token, in the very words of a project nobody has.
    const foreign = await jobsMayFail("list", `--project=${OTHER_PROJECT}`);
    const nobodys = await jobsMayFail("list", "--project=nobodys-project");
    assert.equal(foreign.code, 1);
    assert.equal(nobodys.code, 1);
    assert.match(
      foreign.stderr,
      /jobs\.list\) NOT_FOUND: Project "other-project" was not found, or this access token can't use it\./,
    );
    assert.equal(
      foreign.stderr.replace(OTHER_PROJECT, "P"),
      nobodys.stderr.replace("nobodys-project", "P"),
      "nothing tells the other account's project from a missing one",
    );
    const foreignJob = await jobsMayFail("describe", `projects/${OTHER_PROJECT}/locations/global/jobs/label-photos`);
    assert.equal(foreignJob.code, 1);
    assert.match(foreignJob.stderr, /jobs\.describe\) NOT_FOUND: Project "other-project" was not found/);

    const expired = await app.accessTokens.issue({
      accountId: MEDIA.id,
      ttlMs: 60_000,
      now: new Date(Date.now() - 3_600_000),
    });
    const expiredFile = await gcloud.tokenFile("expired", expired.token);
    const refused = await gcloud.run([...jobsCommand, "list", `--access-token-file=${expiredFile}`]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /jobs\.list\) UNAUTHENTICATED: Request had invalid authentication credentials: the access token has expired\./,
    );

    // gcloud's own usage errors exit 2 before anything is sent.
    const usage = await jobsMayFail(
      "create",
      "no-transformation",
      `--bucket=${LOCAL}`,
      "--included-object-prefixes=a/",
    );
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /jobs\.create\) Exactly one of \(--put-metadata \| --rewrite-object/);
  });
});
