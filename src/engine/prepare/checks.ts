/**
 * The checks the three manifest sources share before they read anything: the manifest object's ETag (D10),
 * the expected owner of a bucket, and that the buckets a job writes to exist.
 */
import type { BucketRef, Job } from "../../domain/job.js";
import { manifestEtagMatches } from "../../storage/etag.js";
import type { ObjectStorage } from "../../storage/types.js";
import { failureWhile, JobFailureError } from "../errors.js";
import type { JobContext } from "../job-context.js";

/** Where the job's manifest object is (a CSV manifest, or an inventory's manifest.json). */
export function manifestObject(job: Job) {
  const manifest = job.manifest!;
  return {
    bucket: manifest.location.bucket.bucket,
    key: manifest.location.key,
    versionId: manifest.location.versionId,
    etag: manifest.location.etag,
  };
}

export function checkManifestEtag(expected: string | undefined, actual: string): void {
  if (expected !== undefined && !manifestEtagMatches(expected, actual)) {
    throw new JobFailureError(
      "ManifestETagMismatch",
      `The manifest ETag ${expected} does not match the object's ETag ${actual}.`,
    );
  }
}

/** ExpectedBucketOwner: objbatch's buckets belong to the accounts that may use them, so it must be the job's. */
export function checkExpectedOwner(job: Pick<Job, "accountId">, expected: string | undefined, what: string): void {
  if (expected !== undefined && expected !== "" && expected !== job.accountId) {
    throw new JobFailureError(
      "AccessDenied",
      `The ${what} is not owned by the expected bucket owner ${expected} (the job's account is ${job.accountId}).`,
    );
  }
}

export async function checkBucketExists(storage: ObjectStorage, ref: BucketRef, what: string): Promise<void> {
  const exists = await storage.bucketExists(ref.bucket).catch((e) => {
    throw failureWhile(e, `Checking the ${what} ${ref.bucket} failed`);
  });
  if (!exists) throw new JobFailureError("NoSuchBucket", `The ${what} ${ref.bucket} does not exist.`);
}

export async function checkReportBucket(context: JobContext): Promise<void> {
  const report = context.job.report;
  if (report.enabled && report.bucket) await checkBucketExists(context.storage, report.bucket, "report bucket");
}
