/**
 * DeleteObject (COS COSDeleteObject; objbatch extensions S3DeleteObject and OSS DeleteObject; Google
 * deleteObject): deletes the object, or the named version. Deleting an object that is already gone succeeds, as
 * S3 answers it (204), so the task is safe to repeat.
 *
 * With allVersions (Google's permanentObjectDeletionEnabled, D45) and no version named, every version and delete
 * marker of exactly the key is deleted (the storage's listKeyVersions), so nothing of it is left to restore; on
 * an unversioned store that is the one object. A version that cannot be deleted (an Object Lock, 403) fails the
 * task with S3's answer; a repeat deletes what is left.
 */
import type { DeleteObjectOperation } from "../domain/job.js";
import { succeeded } from "../domain/task.js";
import { settle } from "./outcome.js";
import type { OperationRunner } from "./types.js";

export const deleteObject: OperationRunner<DeleteObjectOperation> = (task, operation, context) =>
  settle(context, async () => {
    const { storage } = context;
    if (operation.allVersions && task.versionId === undefined) {
      let deleted = 0;
      for await (const version of storage.listKeyVersions(task.bucket, task.key)) {
        await storage.delete(task.bucket, task.key, version.versionId);
        deleted++;
      }
      return succeeded(deleted === 1 ? "Successful" : `Successful: ${deleted} versions deleted`, 204);
    }
    await storage.delete(task.bucket, task.key, task.versionId);
    return succeeded("Successful", 204);
  });
