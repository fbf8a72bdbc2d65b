/**
 * PutObjectHold (Google putObjectHold, D45): sets or releases the object's holds; a hold the job leaves out is
 * left as it is. Google's temporary hold is S3's Object Lock legal hold (ON/OFF), with its rules and its
 * refusals (put-object-legal-hold.ts). Google's event-based hold has no S3 equivalent: the local backend keeps
 * it beside the legal hold, blocking delete and overwrite exactly as the legal hold does; an S3 backend refuses
 * it with 501 NotImplemented. The event-based hold goes first, so a task an S3 backend refuses changes nothing.
 * Setting a hold to what it already is changes nothing, so the task is safe to repeat.
 */
import type { PutObjectHoldOperation } from "../domain/job.js";
import { failed, succeeded } from "../domain/task.js";
import { settle } from "./outcome.js";
import type { OperationRunner } from "./types.js";

export const putObjectHold: OperationRunner<PutObjectHoldOperation> = (task, operation, context) =>
  settle(context, async () => {
    const { temporaryHold, eventBasedHold } = operation;
    if (temporaryHold === undefined && eventBasedHold === undefined) {
      return failed(400, "InvalidArgument", "PutObjectHold needs temporaryHold, eventBasedHold or both");
    }
    const { storage } = context;
    if (eventBasedHold !== undefined) {
      await storage.putEventBasedHold(task.bucket, task.key, eventBasedHold, task.versionId);
    }
    if (temporaryHold !== undefined) {
      await storage.putLegalHold(task.bucket, task.key, temporaryHold ? "ON" : "OFF", task.versionId);
    }
    return succeeded();
  });
