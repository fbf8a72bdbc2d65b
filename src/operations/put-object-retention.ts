/**
 * PutObjectRetention (AWS S3PutObjectRetention): sets the object's Object Lock retention (mode and
 * retain-until date), or removes it when the job gives neither. S3's rules decide what may change
 * (storage/local/object-lock.ts for the local backend): a COMPLIANCE retention can only be extended; a
 * GOVERNANCE one can be shortened or removed only with BypassGovernanceRetention; refusals are 403
 * AccessDenied rows. A date that is not in the future is 400 InvalidArgument, as S3 answers it.
 * Setting the same retention again changes nothing, so the task is safe to repeat.
 */
import type { PutObjectRetentionOperation } from "../domain/job.js";
import { failed, succeeded } from "../domain/task.js";
import type { RetentionSetting } from "../storage/types.js";
import { settle } from "./outcome.js";
import type { OperationRunner } from "./types.js";

export const putObjectRetention: OperationRunner<PutObjectRetentionOperation> = (task, operation, context) =>
  settle(context, async () => {
    const setting = retentionSetting(operation);
    if (typeof setting === "string") return failed(400, "InvalidArgument", setting);
    await context.storage.putRetention(task.bucket, task.key, setting, task.versionId);
    return succeeded();
  });

/** The storage's retention setting for the operation, or a message saying which parameter is invalid. */
export function retentionSetting(operation: PutObjectRetentionOperation): RetentionSetting | string {
  const { mode, retainUntilDate } = operation;
  if (mode !== undefined && mode !== "COMPLIANCE" && mode !== "GOVERNANCE") {
    return `Retention Mode must be COMPLIANCE or GOVERNANCE, got ${JSON.stringify(mode)}`;
  }
  if ((mode === undefined) !== (retainUntilDate === undefined)) {
    return "Retention needs both Mode and RetainUntilDate (omit both to remove the retention)";
  }
  let until: Date | undefined;
  if (retainUntilDate !== undefined) {
    const ms = Date.parse(retainUntilDate);
    if (!Number.isFinite(ms)) return `RetainUntilDate is not a valid time: ${retainUntilDate}`;
    until = new Date(ms);
  }
  return {
    ...(mode !== undefined ? { mode } : {}),
    ...(until !== undefined ? { retainUntilDate: until } : {}),
    ...(operation.bypassGovernanceRetention ? { bypassGovernanceRetention: true } : {}),
  };
}
