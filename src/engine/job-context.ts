/**
 * Everything the engine needs to work on one job, built once per job: the job, the storage view its
 * account and role allow, what its report keeps, and the function endpoints InvokeFunction may call.
 */
import type { AccountRegistry } from "../accounts/types.js";
import type { Job } from "../domain/job.js";
import type { FunctionEndpoints } from "../functions/endpoints.js";
import type { ObjectStorage } from "../storage/types.js";
import { BucketAccess, restrictStorage } from "./bucket-access.js";

export interface JobContext {
  readonly job: Job;
  readonly storage: ObjectStorage;
  readonly keepSucceededRows: boolean;
  readonly keepFailedRows: boolean;
  readonly functions: FunctionEndpoints;
}

export function makeJobContext(
  job: Job,
  storage: ObjectStorage,
  accounts: AccountRegistry,
  functions: FunctionEndpoints = {},
): JobContext {
  const access = new BucketAccess(accounts.byId(job.accountId), job.roleArn);
  const report = job.report;
  return {
    job,
    storage: restrictStorage(storage, access),
    keepSucceededRows: report.enabled && report.scope !== "FailedTasksOnly",
    keepFailedRows: report.enabled,
    functions,
  };
}
