/**
 * RewriteObject (Google rewriteObject with kmsKey, D45): rewrites the object in place under the job's KMS key.
 * On S3 it is a CopyObject onto itself with SSE-KMS and the key, its metadata, tags, ACL, storage class and
 * Object Lock kept (storage/in-place-copy.ts) and conditional on the ETag just read, so a concurrent write fails
 * the task (412) instead of being overwritten. The local backend has no KMS and refuses SSE-KMS on every copy
 * (storage/target-settings.ts): each task fails with 501 NotImplemented, saying so, and nothing is written.
 * Only the current version can be rewritten: S3 would make a named older version the current one, so such a
 * task fails with 400 InvalidRequest. An object already under exactly that key is left as it is, which makes
 * the task safe to repeat.
 */
import type { RewriteObjectOperation } from "../domain/job.js";
import { failed, succeeded } from "../domain/task.js";
import { inPlaceCopyOptions } from "../storage/in-place-copy.js";
import { settle } from "./outcome.js";
import type { OperationRunner } from "./types.js";

export const rewriteObject: OperationRunner<RewriteObjectOperation> = (task, operation, context) =>
  settle(context, async () => {
    if (typeof operation.kmsKey !== "string" || operation.kmsKey === "") {
      return failed(400, "InvalidArgument", "RewriteObject needs a kmsKey");
    }
    const { storage } = context;
    const info = await storage.head(task.bucket, task.key, task.versionId);
    if (task.versionId !== undefined && task.versionId !== "null") {
      const current = await storage.head(task.bucket, task.key);
      if (current.versionId !== info.versionId) {
        return failed(
          400,
          "InvalidRequest",
          `Only the current version can be rewritten: version ${task.versionId} of ${task.key} is not the current one`,
        );
      }
    }
    if (info.encryption?.algorithm === "aws:kms" && info.encryption.kmsKeyId === operation.kmsKey) {
      return succeeded("Successful: already encrypted with the key");
    }
    await storage.copy(
      { bucket: task.bucket, key: task.key },
      { bucket: task.bucket, key: task.key },
      {
        ...inPlaceCopyOptions(info, new Date(), task.versionId),
        sseAlgorithm: "aws:kms",
        sseKmsKeyId: operation.kmsKey,
      },
    );
    return succeeded();
  });
