/**
 * InitiateRestoreObject (AWS S3InitiateRestoreObject, COS COSInitiateRestoreObject, OSS RestoreObject): asks
 * for a temporary readable copy of an archived object. The task succeeds once the request is accepted: 202
 * when a restore was started, 200 when a restored copy already existed and its expiry was extended. A restore
 * still in progress (409) and an object that is not archived (403) fail the task, as S3 answers them.
 */
import type { InitiateRestoreObjectOperation } from "../domain/job.js";
import { succeeded } from "../domain/task.js";
import { settle } from "./outcome.js";
import type { OperationRunner } from "./types.js";

export const initiateRestoreObject: OperationRunner<InitiateRestoreObjectOperation> = (task, operation, context) =>
  settle(context, async () => {
    const result = await context.storage.restore(task.bucket, task.key, {
      ...(operation.expirationInDays !== undefined ? { days: operation.expirationInDays } : {}),
      ...(operation.tier !== undefined ? { tier: operation.tier } : {}),
      ...(task.versionId !== undefined ? { versionId: task.versionId } : {}),
    });
    const days = operation.expirationInDays === undefined ? "" : ` for ${operation.expirationInDays} days`;
    return result.httpStatus === 202
      ? succeeded(`Restore initiated (${operation.tier ?? "Standard"} tier${days})`, 202)
      : succeeded(`Already restored; expiry extended${days}`, 200);
  });
