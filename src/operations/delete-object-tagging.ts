/**
 * DeleteObjectTagging (AWS S3DeleteObjectTagging, OSS DeleteObjectTagging, COS extension): removes every tag
 * of the object. S3 answers 204; an object without tags succeeds too.
 */
import type { DeleteObjectTaggingOperation } from "../domain/job.js";
import { succeeded } from "../domain/task.js";
import { settle } from "./outcome.js";
import type { OperationRunner } from "./types.js";

export const deleteObjectTagging: OperationRunner<DeleteObjectTaggingOperation> = (task, _operation, context) =>
  settle(context, async () => {
    await context.storage.deleteTagging(task.bucket, task.key, task.versionId);
    return succeeded("Successful", 204);
  });
