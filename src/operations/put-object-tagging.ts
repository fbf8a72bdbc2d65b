/**
 * PutObjectTagging (AWS S3PutObjectTagging, COS COSPutObjectTagging, OSS PutObjectTagging): replaces the
 * object's whole tag set with the job's.
 */
import type { PutObjectTaggingOperation } from "../domain/job.js";
import { succeeded } from "../domain/task.js";
import { settle } from "./outcome.js";
import type { OperationRunner } from "./types.js";

export const putObjectTagging: OperationRunner<PutObjectTaggingOperation> = (task, operation, context) =>
  settle(context, async () => {
    await context.storage.putTagging(task.bucket, task.key, operation.tagSet, task.versionId);
    return succeeded();
  });
