/**
 * PutObjectAcl (AWS S3PutObjectAcl, OSS PutObjectAcl, COS extension): sets the object's ACL to the job's
 * canned ACL and/or grants, replacing the previous one.
 */
import type { PutObjectAclOperation } from "../domain/job.js";
import { succeeded } from "../domain/task.js";
import { settle } from "./outcome.js";
import type { OperationRunner } from "./types.js";

export const putObjectAcl: OperationRunner<PutObjectAclOperation> = (task, operation, context) =>
  settle(context, async () => {
    await context.storage.putAcl(task.bucket, task.key, operation.acl, task.versionId);
    return succeeded();
  });
