/**
 * PutObjectLegalHold (AWS S3PutObjectLegalHold): switches the object's Object Lock legal hold ON or OFF. While
 * it is ON the object cannot be deleted or overwritten (403 AccessDenied), whatever its retention says.
 * Repeating either status changes nothing, so the task is safe to repeat. S3's refusals come back as their
 * rows: 404 NoSuchKey / NoSuchVersion, 400 InvalidRequest for a bucket without Object Lock (S3 backend),
 * 403 AccessDenied.
 */
import type { PutObjectLegalHoldOperation } from "../domain/job.js";
import { failed, succeeded } from "../domain/task.js";
import { settle } from "./outcome.js";
import type { OperationRunner } from "./types.js";

export const putObjectLegalHold: OperationRunner<PutObjectLegalHoldOperation> = (task, operation, context) =>
  settle(context, async () => {
    if (operation.status !== "ON" && operation.status !== "OFF") {
      return failed(
        400,
        "InvalidArgument",
        `LegalHold Status must be ON or OFF, got ${JSON.stringify(operation.status)}`,
      );
    }
    await context.storage.putLegalHold(task.bucket, task.key, operation.status, task.versionId);
    return succeeded();
  });
