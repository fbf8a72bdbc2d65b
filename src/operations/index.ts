/**
 * Runs a job's operation on one task, whatever the operation. Kinds without a module yet answer every task
 * with 501 NotImplemented, so a job using them completes with a report that says so instead of hanging.
 */
import type { Operation, OperationKind } from "../domain/job.js";
import { failed, type Task, type TaskResult } from "../domain/task.js";
import { addObjectTagging } from "./add-object-tagging.js";
import { deleteObject } from "./delete-object.js";
import { deleteObjectTagging } from "./delete-object-tagging.js";
import { initiateRestoreObject } from "./initiate-restore-object.js";
import { putObjectAcl } from "./put-object-acl.js";
import { putObjectCopy } from "./put-object-copy.js";
import { putObjectTagging } from "./put-object-tagging.js";
import type { OperationContext } from "./types.js";

/** The operation kinds that do their work (the others fail every task with 501 NotImplemented). */
export const supportedOperationKinds: ReadonlySet<OperationKind> = new Set<OperationKind>([
  "PutObjectCopy",
  "DeleteObject",
  "InitiateRestoreObject",
  "PutObjectTagging",
  "AddObjectTagging",
  "DeleteObjectTagging",
  "PutObjectAcl",
]);

export function runOperation(task: Task, operation: Operation, context: OperationContext): Promise<TaskResult> {
  switch (operation.kind) {
    case "PutObjectCopy":
      return putObjectCopy(task, operation, context);
    case "DeleteObject":
      return deleteObject(task, operation, context);
    case "InitiateRestoreObject":
      return initiateRestoreObject(task, operation, context);
    case "PutObjectTagging":
      return putObjectTagging(task, operation, context);
    case "AddObjectTagging":
      return addObjectTagging(task, operation, context);
    case "DeleteObjectTagging":
      return deleteObjectTagging(task, operation, context);
    case "PutObjectAcl":
      return putObjectAcl(task, operation, context);
    case "PutObjectLegalHold":
    case "PutObjectRetention":
    case "ComputeObjectChecksum":
    case "InvokeFunction":
    case "ReplicateObject":
      return Promise.resolve(notImplemented(operation.kind));
    default:
      return Promise.resolve(unknownKind(operation));
  }
}

const notImplemented = (kind: OperationKind): TaskResult =>
  failed(501, "NotImplemented", `The ${kind} operation is not implemented by objbatch yet; the object was not changed`);

/** Unreachable while the switch covers the union; a kind added later fails its tasks instead of crashing. */
function unknownKind(operation: never): TaskResult {
  const kind = (operation as { kind?: unknown }).kind;
  return failed(501, "NotImplemented", `Unknown operation kind ${JSON.stringify(kind)}`);
}
