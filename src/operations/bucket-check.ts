/**
 * For operations that hand a bucket name to something outside objbatch (InvokeFunction): whether the job may
 * use the bucket and it exists. The job's storage view refuses buckets its account or role may not use (403
 * AccessDenied); a missing bucket is 404 NoSuchBucket. A bucket found is remembered per storage view, so a job
 * asks once per bucket rather than once per task; a missing one is asked again (it may be created meanwhile).
 */
import { failed, type TaskResult } from "../domain/task.js";
import type { ObjectStorage } from "../storage/types.js";
import type { OperationContext } from "./types.js";

const known = new WeakMap<ObjectStorage, Set<string>>();
const MAX_BUCKETS_REMEMBERED = 1000;

/** A failed row when the bucket does not exist; throws the storage's error when the job may not use it. */
export async function noSuchBucketError(context: OperationContext, bucket: string): Promise<TaskResult | undefined> {
  let buckets = known.get(context.storage);
  if (buckets === undefined) {
    buckets = new Set();
    known.set(context.storage, buckets);
  }
  if (buckets.has(bucket)) return undefined;
  if (!(await context.storage.bucketExists(bucket))) {
    return failed(404, "NoSuchBucket", `The specified bucket does not exist: ${bucket}`);
  }
  if (buckets.size < MAX_BUCKETS_REMEMBERED) buckets.add(bucket);
  return undefined;
}
