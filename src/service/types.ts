/**
 * The use cases every front-end goes through: the three dialects, the console's JSON API and the CLI.
 */
import type { FailureCause } from "../domain/failure-causes.js";
import type { Job, JobSpec, JobSummary, OperationKind, Tag } from "../domain/job.js";
import type { JobStatus } from "../domain/status.js";
import type { TaskStatus } from "../domain/task.js";
import type { JobReport, ReportFileContent } from "./job-report.js";
import type { JobOverrides, RerunRequest } from "./job-rerun.js";
import type { TaskResultsPage, TaskResultsQuery } from "./task-results.js";

/** What UpdateJobStatus may ask for: the dialects' Ready and Cancelled, and objbatch's Paused (D31). */
export type RequestedStatus = "Ready" | "Cancelled" | "Paused";

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

/** A place in an account's listing, newest first: the jobs after it are older. */
export interface JobPosition {
  readonly creationTime: number;
  readonly jobId: string;
}

/** The JSON API's listing: filters, a page size and where the previous page stopped. */
export interface JobSearch {
  readonly statuses?: readonly JobStatus[];
  readonly operation?: OperationKind;
  /** Text the description or the job id contains (case-insensitive). */
  readonly text?: string;
  /** A tag the job carries (key and value exactly). */
  readonly tag?: Tag;
  /** Creation time bounds, ms, inclusive. */
  readonly createdFrom?: number;
  readonly createdTo?: number;
  readonly limit: number;
  readonly after?: JobPosition;
}

export interface JobSearchPage {
  readonly jobs: readonly JobSummary[];
  /** Where the next page starts; absent when no job is left. A page may hold fewer jobs than asked and a next. */
  readonly next?: JobPosition;
}

/** A job's progress as the JSON API shows it, from what the store records (service/job-progress.ts). */
export interface JobProgress {
  /** Null until the manifest has been counted. */
  readonly total: number | null;
  readonly succeeded: number;
  readonly failed: number;
  /** Tasks of the chunks being run now: not recorded yet. */
  readonly inFlight: number;
  /**
   * Finished tasks per second over the last ten seconds (D32); the whole run's average when that cannot be
   * measured yet; 0 once the job has finished.
   */
  readonly tasksPerSecond: number;
  /** Finished tasks per second of Active time, over the whole run. */
  readonly averageTasksPerSecond: number;
  /**
   * Seconds until every task is finished at `tasksPerSecond`: 0 once finished, null while it cannot be told
   * (nothing counted yet, or nothing finished lately).
   */
  readonly etaSeconds: number | null;
  /** Time spent Active, ms. */
  readonly elapsedMs: number;
}

export interface JobServiceApi {
  /**
   * `reuse`: the same token with the same request returns the earlier job (S3 Control, OSS);
   * `reject`: any reuse of a token is an Idempotency error (COS, "Duplicate request.").
   */
  createJob(spec: JobSpec, tokenPolicy: "reuse" | "reject", fingerprint?: string): Promise<CreateJobOutcome>;
  /**
   * A new job running a finished job's operation over its failed (or not succeeded) tasks, from its report, with
   * a manifest written to its report bucket (service/job-rerun.ts, D35); RerunRefusal when it cannot be.
   */
  rerunJob(accountId: string, jobId: string, request: RerunRequest): Promise<CreateJobOutcome>;
  /** A new job with the same manifest (or generator) and operation, and the overrides (D35). */
  cloneJob(accountId: string, jobId: string, overrides: JobOverrides): Promise<CreateJobOutcome>;
  /** A page of the job's task results, read from its report's results files (service/task-results.ts, D35). */
  jobTaskResults(accountId: string, jobId: string, query: TaskResultsQuery): Promise<TaskResultsPage>;
  describeJob(accountId: string, jobId: string): Promise<Job>;
  /** The account's job created with this name (JobSpec.jobName, service/job-names.ts), or undefined (D46). */
  findJobByName(accountId: string, jobName: string): Promise<Job | undefined>;
  listJobs(accountId: string, query: ListJobsQuery): Promise<ListJobsPage>;
  updateJobPriority(accountId: string, jobId: string, priority: number): Promise<Job>;
  /**
   * UpdateJobStatus of every dialect: Ready confirms a Suspended job, or resumes one its user paused; Cancelled
   * cancels; Paused (objbatch's extension, D31) pauses it for its user (pauseJob).
   */
  updateJobStatus(
    accountId: string,
    jobId: string,
    requested: RequestedStatus,
    reason: string | undefined,
    options?: { readonly allowReadyWhilePreparing?: boolean },
  ): Promise<Job>;
  /** Pauses the job for its user; idempotent; IllegalStatusChange unless Ready, Active, Pausing or Paused (D31). */
  pauseJob(accountId: string, jobId: string, reason?: string): Promise<Job>;
  /** Lets a job its user paused go back to the queue at its priority; IllegalStatusChange otherwise (D31). */
  resumeJob(accountId: string, jobId: string, reason?: string): Promise<Job>;
  /**
   * The job and its live progress. Each call is also a sample of the job's finished tasks for the rate over the
   * last ten seconds (D32): a caller that reads a job every second or two sees that rate.
   */
  describeJobProgress(accountId: string, jobId: string): Promise<{ readonly job: Job; readonly progress: JobProgress }>;
  /** Filtered, bounded listing (service/job-search.ts). */
  searchJobs(accountId: string, search: JobSearch): Promise<JobSearchPage>;
  updateJobDescription(accountId: string, jobId: string, description: string): Promise<Job>;
  /** The job's completion report: settings, state, results files and manifest.json (service/job-report.ts). */
  describeJobReport(accountId: string, jobId: string): Promise<JobReport>;
  /** A completed results file of the job, as a stream; ReportError when it cannot be read. */
  openReportFile(accountId: string, jobId: string, status: TaskStatus, index: number): Promise<ReportFileContent>;
  /** COS DeleteJob: only terminal jobs (D9). */
  deleteJob(accountId: string, jobId: string): Promise<void>;
  getJobTagging(accountId: string, jobId: string): Promise<Tag[]>;
  putJobTagging(accountId: string, jobId: string, tags: readonly Tag[]): Promise<void>;
  deleteJobTagging(accountId: string, jobId: string): Promise<void>;
  /** The job's failed tasks grouped by (HTTP status, error code), most tasks first, with their total (D27). */
  jobFailures(accountId: string, jobId: string): Promise<JobFailures>;
}

export interface JobFailures {
  /**
   * The causes' counts added up: the failed tasks recorded so far (the job's failed counter, recorded in the same
   * transactions, except for chunks recorded before migration 0007 added the causes).
   */
  readonly total: number;
  readonly causes: readonly FailureCause[];
}
