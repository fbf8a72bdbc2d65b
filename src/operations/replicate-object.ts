/**
 * ReplicateObject (AWS S3ReplicateObject): S3 replicates each object by the source bucket's replication
 * configuration. objbatch's storage backends hold no bucket replication configuration (the local backend has
 * none at all, and the ObjectStorage interface cannot read or apply S3's), so every task fails with the row S3
 * gives a bucket without one, and no object is touched. A job that needs copies elsewhere can use
 * PutObjectCopy, which names its target bucket.
 */
import type { ReplicateObjectOperation } from "../domain/job.js";
import { failed } from "../domain/task.js";
import type { OperationRunner } from "./types.js";

export const replicateObject: OperationRunner<ReplicateObjectOperation> = async (task) =>
  failed(
    400,
    "InvalidRequest",
    `The source bucket ${task.bucket} has no replication configuration: objbatch's storage keeps no bucket replication rules, so the object was not replicated (use PutObjectCopy to copy objects to a named bucket)`,
  );
