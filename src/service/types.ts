/**
 * The use cases every front-end goes through: the three dialects, the console's JSON API and the CLI.
 */
import type { Job, JobSpec, JobSummary, Tag } from "../domain/job.js";
import type { JobStatus } from "../domain/status.js";

export interface CreateJobOutcome {
  readonly jobId: string;
  /** False when an idempotent retry returned the job an earlier request created. */
  readonly created: boolean;
}

export interface ListJobsQuery {
  readonly statuses?: readonly JobStatus[];
  readonly maxResults: number;
  /** The last JobId of the previous page. */
  readonly nextToken?: string;
}

export interface ListJobsPage {
  readonly jobs: readonly JobSummary[];
  /** Present only while more jobs remain (D6). */
  readonly nextToken?: string;
}

export interface JobServiceApi {
  /**
   * `reuse`: the same token with the same request returns the earlier job (S3 Control, OSS);
   * `reject`: any reuse of a token is an Idempotency error (COS, "Duplicate request.").
   */
  createJob(spec: JobSpec, tokenPolicy: "reuse" | "reject"): Promise<CreateJobOutcome>;
  describeJob(accountId: string, jobId: string): Promise<Job>;
  listJobs(accountId: string, query: ListJobsQuery): Promise<ListJobsPage>;
  updateJobPriority(accountId: string, jobId: string, priority: number): Promise<Job>;
  updateJobStatus(
    accountId: string,
    jobId: string,
    requested: "Ready" | "Cancelled",
    reason: string | undefined,
    options?: { readonly allowReadyWhilePreparing?: boolean },
  ): Promise<Job>;
  /** COS DeleteJob: only terminal jobs (D9). */
  deleteJob(accountId: string, jobId: string): Promise<void>;
  getJobTagging(accountId: string, jobId: string): Promise<Tag[]>;
  putJobTagging(accountId: string, jobId: string, tags: readonly Tag[]): Promise<void>;
  deleteJobTagging(accountId: string, jobId: string): Promise<void>;
}
