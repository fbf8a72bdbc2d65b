/**
 * DeleteObject (COS COSDeleteObject; objbatch extensions S3DeleteObject and OSS DeleteObject): deletes the
 * object, or the named version. Deleting an object that is already gone succeeds, as S3 answers it (204), so
 * the task is safe to repeat.
 */
import type { DeleteObjectOperation } from "../domain/job.js";
import { succeeded } from "../domain/task.js";
import { settle } from "./outcome.js";
import type { OperationRunner } from "./types.js";

export const deleteObject: OperationRunner<DeleteObjectOperation> = (task, _operation, context) =>
  settle(context, async () => {
    await context.storage.delete(task.bucket, task.key, task.versionId);
    return succeeded("Successful", 204);
  });
