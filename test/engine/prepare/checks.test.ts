/**
 * engine/prepare/checks.ts: the checks every manifest source makes before reading anything, each failing the
 * job with the FailureReasons entry a user can act on: the manifest object's ETag when the job pinned one (D10:
 * quotes optional, hex in any case, an empty pin pins nothing), ExpectedBucketOwner (an objbatch bucket belongs
 * to the job's account), and that the buckets a job writes to exist, checked through the job's own view of the
 * storage. Jobs come from a real SQLite store, buckets are a real local data dir.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { StaticAccountRegistry } from "../../../src/accounts/types.js";
import type { Job, JobSpec } from "../../../src/domain/job.js";
import { JobFailureError, jobFailureOf } from "../../../src/engine/errors.js";
import { makeJobContext } from "../../../src/engine/job-context.js";
import {
  checkBucketExists,
  checkExpectedOwner,
  checkManifestEtag,
  checkReportBucket,
  manifestObject,
} from "../../../src/engine/prepare/checks.js";
import { sqliteTestStore } from "../../helpers/stores.js";
import { jobIn } from "../../store/helpers.js";
import { ACCOUNT, bucketRef, makeBucket, type PrepareEnv, prepareEnv, reportTo } from "../helpers.js";

const ETAG = "9b2cf535f27731c974343645a3985328";

/** Asserts that `run` fails the job with exactly this entry. */
async function failsWith(run: () => unknown, code: string, reason: string | RegExp) {
  await assert.rejects((async () => run())(), (e: unknown) => {
    assert.ok(e instanceof JobFailureError, `a JobFailureError, not ${String(e)}`);
    assert.equal(e.code, code);
    if (typeof reason === "string") assert.equal(e.message, reason);
    else assert.match(e.message, reason);
    assert.deepEqual(jobFailureOf(e), { code, reason: e.message }, "the job's FailureReasons entry");
    return true;
  });
}

describe("prepare checks", () => {
  let env: PrepareEnv;
  before(async () => {
    env = await prepareEnv(sqliteTestStore);
    await makeBucket(env, "things");
  });
  after(() => env.dispose());

  const job = async (spec: Partial<JobSpec> = {}): Promise<Job> => {
    const { jobId } = await jobIn(env.t.store, "Preparing", { accountId: ACCOUNT, ...spec });
    return (await env.t.store.getJob(jobId))!;
  };

  describe("manifestObject", () => {
    it("names the manifest object by its plain bucket name, with the version and ETag the job pinned", async () => {
      const bucket = { arn: "qcs::cos:ap-guangzhou:uid/1250000000:things-1250000000", bucket: "things-1250000000" };
      const pinned = await job({
        manifest: {
          format: "S3BatchOperations_CSV_20180820",
          fields: ["Bucket", "Key"],
          location: { bucket, key: "lists/manifest.csv", versionId: "v-7", etag: `"${ETAG}"` },
        },
      });
      assert.deepEqual(manifestObject(pinned), {
        bucket: "things-1250000000",
        key: "lists/manifest.csv",
        versionId: "v-7",
        etag: `"${ETAG}"`,
      });
      const loose = await job({
        manifest: {
          format: "S3BatchOperations_CSV_20180820",
          fields: ["Bucket", "Key"],
          location: { bucket: bucketRef("things"), key: "m.csv" },
        },
      });
      assert.deepEqual(manifestObject(loose), {
        bucket: "things",
        key: "m.csv",
        versionId: undefined,
        etag: undefined,
      });
    });
  });

  describe("checkManifestEtag", () => {
    it("passes any manifest when the job pinned no ETag, or an empty one", () => {
      for (const expected of [undefined, "", '""']) {
        assert.doesNotThrow(() => checkManifestEtag(expected, `"${ETAG}"`), String(expected));
      }
    });

    it("compares with quotes optional and hex digits in any case", () => {
      for (const expected of [ETAG, `"${ETAG}"`, ETAG.toUpperCase(), `W/"${ETAG}"`, ` "${ETAG}" `]) {
        assert.doesNotThrow(() => checkManifestEtag(expected, `"${ETAG}"`), expected);
        assert.doesNotThrow(() => checkManifestEtag(expected, ETAG), expected);
      }
      assert.doesNotThrow(() => checkManifestEtag(`${ETAG}-3`, `"${ETAG.toUpperCase()}-3"`), "a multipart ETag");
    });

    it("fails the job with ManifestETagMismatch, quoting both ETags as they were", async () => {
      await failsWith(
        () => checkManifestEtag('"0123"', `"${ETAG}"`),
        "ManifestETagMismatch",
        `The manifest ETag "0123" does not match the object's ETag "${ETAG}".`,
      );
      await failsWith(() => checkManifestEtag(`${ETAG}-2`, `"${ETAG}"`), "ManifestETagMismatch", /does not match/);
    });
  });

  describe("checkExpectedOwner", () => {
    it("passes no expected owner, an empty one, and the job's own account", async () => {
      const j = await job();
      for (const expected of [undefined, "", ACCOUNT]) {
        assert.doesNotThrow(() => checkExpectedOwner(j, expected, "manifest bucket"), String(expected));
      }
    });

    it("fails the job with AccessDenied for any other owner, naming both", async () => {
      const j = await job();
      await failsWith(
        () => checkExpectedOwner(j, "999988887777", "report bucket"),
        "AccessDenied",
        `The report bucket is not owned by the expected bucket owner 999988887777 (the job's account is ${ACCOUNT}).`,
      );
      await failsWith(
        () => checkExpectedOwner(j, ` ${ACCOUNT}`, "source bucket"),
        "AccessDenied",
        /expected bucket owner/,
      );
    });
  });

  describe("checkBucketExists", () => {
    const viewOf = (j: Job, buckets = ["*"]) =>
      makeJobContext(j, env.storage, new StaticAccountRegistry([{ id: ACCOUNT, keys: [], buckets }])).storage;

    it("passes a bucket that exists", async () => {
      await checkBucketExists(viewOf(await job()), bucketRef("things"), "report bucket");
    });

    it("fails the job with NoSuchBucket for a bucket that does not exist", async () => {
      const storage = viewOf(await job());
      await failsWith(
        () => checkBucketExists(storage, bucketRef("nowhere"), "report bucket"),
        "NoSuchBucket",
        "The report bucket nowhere does not exist.",
      );
    });

    it("fails the job with the storage's code when it cannot tell: a bucket the job may not use, a name no bucket has", async () => {
      const j = await job();
      await failsWith(
        () => checkBucketExists(viewOf(j, ["things"]), bucketRef("secrets"), "generator's source bucket"),
        "AccessDenied",
        /^Checking the generator's source bucket secrets failed: Access Denied: the job may not use bucket secrets/,
      );
      await failsWith(
        () => checkBucketExists(viewOf(j), bucketRef("../etc"), "report bucket"),
        "InvalidBucketName",
        /^Checking the report bucket \.\.\/etc failed: The specified bucket is not valid/,
      );
    });
  });

  describe("checkReportBucket", () => {
    const contextOf = (j: Job) => makeJobContext(j, env.storage, env.deps.accounts);

    it("checks nothing for a job without a report, or one without a report bucket", async () => {
      await checkReportBucket(contextOf(await job({ report: { enabled: false, bucket: bucketRef("nowhere") } })));
      await checkReportBucket(contextOf(await job({ report: { enabled: true } })));
    });

    it("passes a report bucket that exists and fails the job for one that does not", async () => {
      await checkReportBucket(contextOf(await job({ report: reportTo("things") })));
      const missing = contextOf(await job({ report: reportTo("gone") }));
      await failsWith(() => checkReportBucket(missing), "NoSuchBucket", "The report bucket gone does not exist.");
    });
  });
});
