/**
 * Runs a job's operation on one task, whatever the operation. Every kind of the canonical model has a module;
 * ReplicateObject's fails every task with a clear row, since objbatch's storage holds no replication
 * configuration (replicate-object.ts). A kind added to the model without a module answers 501 NotImplemented,
 * so a job using it completes with a report that says so instead of hanging.
 */
import { OPERATION_KINDS, type Operation, type OperationKind } from "../domain/job.js";
import { failed, type Task, type TaskResult } from "../domain/task.js";
import { addObjectTagging } from "./add-object-tagging.js";
import { computeObjectChecksum } from "./compute-object-checksum.js";
import { deleteObject } from "./delete-object.js";
import { deleteObjectTagging } from "./delete-object-tagging.js";
import { initiateRestoreObject } from "./initiate-restore-object.js";
import { invokeFunction } from "./invoke-function.js";
import { putObjectAcl } from "./put-object-acl.js";
import { putObjectCopy } from "./put-object-copy.js";
import { putObjectHold } from "./put-object-hold.js";
import { putObjectLegalHold } from "./put-object-legal-hold.js";
import { putObjectRetention } from "./put-object-retention.js";
import { putObjectTagging } from "./put-object-tagging.js";
import { replicateObject } from "./replicate-object.js";
import { rewriteObject } from "./rewrite-object.js";
import type { OperationContext } from "./types.js";
import { updateObjectCustomContext } from "./update-object-custom-context.js";
import { updateObjectMetadata } from "./update-object-metadata.js";

/** The operation kinds that do their work (ReplicateObject is the one that fails every task). */
export const supportedOperationKinds: ReadonlySet<OperationKind> = new Set<OperationKind>(
  OPERATION_KINDS.filter((kind) => kind !== "ReplicateObject"),
);

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
      return putObjectLegalHold(task, operation, context);
    case "PutObjectRetention":
      return putObjectRetention(task, operation, context);
    case "ComputeObjectChecksum":
      return computeObjectChecksum(task, operation, context);
    case "InvokeFunction":
      return invokeFunction(task, operation, context);
    case "ReplicateObject":
      return replicateObject(task, operation, context);
    case "UpdateObjectMetadata":
      return updateObjectMetadata(task, operation, context);
    case "RewriteObject":
      return rewriteObject(task, operation, context);
    case "PutObjectHold":
      return putObjectHold(task, operation, context);
    case "UpdateObjectCustomContext":
      return updateObjectCustomContext(task, operation, context);
    default:
      return Promise.resolve(unknownKind(operation));
  }
}

/** Unreachable while the switch covers the union; a kind added later fails its tasks instead of crashing. */
function unknownKind(operation: never): TaskResult {
  const kind = (operation as { kind?: unknown }).kind;
  return failed(501, "NotImplemented", `Unknown operation kind ${JSON.stringify(kind)}`);
}
