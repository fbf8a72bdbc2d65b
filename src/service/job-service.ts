/**
 * JobService: the use cases behind every front-end. It validates what is dialect-independent (caps,
 * idempotency, status rules), writes through the JobStore, and wakes the engine when there is work.
 */
import { randomUUID } from "node:crypto";
import type { AccountRegistry } from "../accounts/types.js";
import { DomainError, noSuchJob } from "../domain/errors.js";
import type { Job, JobSpec, JobSummary, Tag } from "../domain/job.js";
import { canRequestCancel, canRequestPause, isTerminal, type JobStatus } from "../domain/status.js";
import type { TaskStatus } from "../domain/task.js";
import type { ObjectStorage } from "../storage/types.js";
import { DuplicateTokenError } from "../store/errors.js";
import type { JobStore, TokenUse } from "../store/job-store.js";
import { jobNameToken } from "./job-names.js";
import { jobProgress } from "./job-progress.js";
import { type JobReport, JobReports, type ReportFileContent } from "./job-report.js";
import { type JobOverrides, JobReruns, type RerunRequest } from "./job-rerun.js";
import { searchJobs } from "./job-search.js";
import { requestFingerprint } from "./request-fingerprint.js";
import { type TaskResultsPage, type TaskResultsQuery, taskResults } from "./task-results.js";
import { ThroughputSampler } from "./throughput-sampler.js";
import type {
  CreateJobOutcome,
  JobFailures,
  JobProgress,
  JobSearch,
  JobSearchPage,
  JobServiceApi,
  ListJobsPage,
  ListJobsQuery,
  RequestedStatus,
} from "./types.js";

export interface JobServiceOptions {
  readonly store: JobStore;
  readonly accounts: AccountRegistry;
  /** Default cap on unfinished jobs per account when the account sets none. */
  readonly maxUnfinishedJobs: number;
  readonly maxJobTags?: number;
  readonly now?: () => number;
  /**
   * Called after a change the engine should act on soon: "created" for a new job (it needs preparing, and
   * nothing else yet), "changed" for the rest (confirmation, cancel, priority, pause, resume).
   */
  readonly onChange?: (change: JobChange) => void;
  /** Every bucket's storage, routed as the engine has it: completion reports are read from it (job-report.ts). */
  readonly storage?: ObjectStorage;
  /** What this process saw of each job's progress, for the rate over the last ten seconds (D32). */
  readonly throughput?: ThroughputSampler;
}

/** What JobServiceOptions.onChange is told. */
export type JobChange = "created" | "changed";

const MAX_STATUS_RETRIES = 5;

/** The status update reason of a job its user paused, and of one resumed (D31); a user's own reason follows. */
export const PAUSED_BY_USER = "Paused by the user";
export const RESUMED_BY_USER = "Resumed by the user";

export class JobService implements JobServiceApi {
  private readonly store: JobStore;
  private readonly now: () => number;
  private readonly reports: JobReports;
  private readonly reruns: JobReruns;
  private readonly throughput: ThroughputSampler;

  constructor(private readonly options: JobServiceOptions) {
    this.store = options.store;
    this.now = options.now ?? Date.now;
    this.throughput = options.throughput ?? new ThroughputSampler();
    this.reports = new JobReports({
      store: options.store,
      accounts: options.accounts,
      storage: options.storage,
      now: this.now,
    });
    this.reruns = new JobReruns({
      store: options.store,
      reports: this.reports,
      create: (spec, fingerprint) => this.createJob(spec, "reuse", fingerprint),
    });
  }

  async createJob(
    spec: JobSpec,
    tokenPolicy: "reuse" | "reject",
    fingerprint = requestFingerprint(spec),
  ): Promise<CreateJobOutcome> {
    if ((spec.tags?.length ?? 0) > (this.options.maxJobTags ?? 50)) {
      throw new DomainError("TooManyTags", `A job can have at most ${this.options.maxJobTags ?? 50} tags.`);
    }
    const account = this.options.accounts.byId(spec.accountId);
    const cap = account?.maxUnfinishedJobs ?? this.options.maxUnfinishedJobs;

    const jobId = randomUUID();
    let inserted: boolean;
    try {
      // The cap is checked and the job inserted in one transaction (store/jobs/insert-job.ts): concurrent
      // creates, through one server or several, never get past it together. A token used before is found by
      // the insert itself (the unique key), so a first create costs no read before it.
      inserted = await this.store.insertJobUnderCap(
        { jobId, spec, creationTime: this.now(), requestFingerprint: fingerprint },
        cap,
      );
    } catch (e) {
      if (!(e instanceof DuplicateTokenError)) throw e;
      const earlier = await this.store.findByToken(spec.accountId, spec.clientRequestToken);
      if (!earlier) throw e;
      return this.answerReusedToken(earlier, fingerprint, tokenPolicy);
    }
    if (!inserted) {
      // A retry of a create that got in before the cap was reached is still answered with its job.
      const earlier = await this.store.findByToken(spec.accountId, spec.clientRequestToken);
      if (earlier) return this.answerReusedToken(earlier, fingerprint, tokenPolicy);
      throw new DomainError(
        "TooManyJobs",
        `The number of unfinished jobs has reached the limit of ${cap} for this account.`,
      );
    }
    this.options.onChange?.("created");
    return { jobId, created: true };
  }

  private answerReusedToken(earlier: TokenUse, fingerprint: string, policy: "reuse" | "reject"): CreateJobOutcome {
    if (policy === "reuse" && earlier.requestFingerprint === fingerprint) {
      return { jobId: earlier.jobId, created: false };
    }
    throw new DomainError(
      "Idempotency",
      policy === "reject"
        ? "Duplicate request."
        : "The ClientRequestToken was already used by a different CreateJob request.",
    );
  }

  async describeJob(accountId: string, jobId: string): Promise<Job> {
    const now = this.now();
    const job = await this.requireJob(accountId, jobId);
    this.sample(job, now);
    return job;
  }

  async findJobByName(accountId: string, jobName: string): Promise<Job | undefined> {
    const use = await this.store.findByToken(accountId, jobNameToken(jobName));
    if (use === undefined) return undefined;
    const job = await this.store.getAccountJob(accountId, use.jobId, this.now());
    // A token chosen through another dialect could look like a name's; only a job of that name answers.
    if (job === undefined || job.jobName !== jobName) return undefined;
    this.sample(job, this.now());
    return job;
  }

  async listJobs(accountId: string, query: ListJobsQuery): Promise<ListJobsPage> {
    let after: { creationTime: number; jobId: string } | undefined;
    if (query.nextToken !== undefined) {
      const last = await this.store.getAccountJob(accountId, query.nextToken, this.now());
      if (!last) throw new DomainError("InvalidNextToken", "The nextToken is invalid or has expired.");
      after = { creationTime: last.creationTime.getTime(), jobId: last.jobId };
    }
    const now = this.now();
    const jobs = await this.store.listJobs(accountId, query.statuses, query.maxResults + 1, after, now);
    const more = jobs.length > query.maxResults;
    const page = more ? jobs.slice(0, query.maxResults) : jobs;
    for (const job of page) this.sample(job, now);
    return {
      jobs: page,
      nextToken: more && page.length > 0 ? page[page.length - 1].jobId : undefined,
    };
  }

  async describeJobProgress(accountId: string, jobId: string): Promise<{ job: Job; progress: JobProgress }> {
    const now = this.now();
    const job = await this.requireJob(accountId, jobId);
    const activity = await this.store.readActivity(jobId, now);
    if (activity === undefined) throw noSuchJob(jobId);
    return { job, progress: jobProgress(job, activity, this.sample(job, now)) };
  }

  async searchJobs(accountId: string, search: JobSearch): Promise<JobSearchPage> {
    const now = this.now();
    const page = await searchJobs(this.store, accountId, search, now);
    for (const job of page.jobs) this.sample(job, now);
    return page;
  }

  /**
   * Feeds a progress read to the throughput sampler and returns the job's finished tasks per second over the
   * last ten seconds, when it can be told (D32). A finished job is forgotten: its rate is 0.
   */
  private sample(job: Pick<JobSummary, "jobId" | "status" | "progress">, now: number): number | undefined {
    if (isTerminal(job.status)) {
      this.throughput.forget(job.jobId);
      return undefined;
    }
    return this.throughput.observe(job.jobId, now, job.progress.succeeded + job.progress.failed);
  }

  describeJobReport(accountId: string, jobId: string): Promise<JobReport> {
    return this.reports.describe(accountId, jobId);
  }

  openReportFile(accountId: string, jobId: string, status: TaskStatus, index: number): Promise<ReportFileContent> {
    return this.reports.open(accountId, jobId, status, index);
  }

  rerunJob(accountId: string, jobId: string, request: RerunRequest): Promise<CreateJobOutcome> {
    return this.reruns.rerun(accountId, jobId, request);
  }

  cloneJob(accountId: string, jobId: string, overrides: JobOverrides): Promise<CreateJobOutcome> {
    return this.reruns.clone(accountId, jobId, overrides);
  }

  async jobTaskResults(accountId: string, jobId: string, query: TaskResultsQuery): Promise<TaskResultsPage> {
    const job = await this.reports.requireJob(accountId, jobId);
    return taskResults(this.reports, job, query);
  }

  async updateJobDescription(accountId: string, jobId: string, description: string): Promise<Job> {
    await this.requireJob(accountId, jobId);
    if (!(await this.store.updateDescription(jobId, description, this.now()))) throw noSuchJob(jobId);
    return this.describeJob(accountId, jobId);
  }

  async updateJobPriority(accountId: string, jobId: string, priority: number): Promise<Job> {
    const job = await this.requireJob(accountId, jobId);
    if (isTerminal(job.status)) {
      throw new DomainError("NoSuchJob", `The job ${jobId} has already finished (${job.status}).`);
    }
    await this.store.updatePriority(jobId, priority, this.now());
    this.options.onChange?.("changed");
    return this.describeJob(accountId, jobId);
  }

  async updateJobStatus(
    accountId: string,
    jobId: string,
    requested: RequestedStatus,
    reason: string | undefined,
    options: { readonly allowReadyWhilePreparing?: boolean } = {},
  ): Promise<Job> {
    if (requested === "Paused") return this.pauseJob(accountId, jobId, reason);
    for (let attempt = 0; attempt < MAX_STATUS_RETRIES; attempt++) {
      const { status, pausedByUser } = await this.requireJob(accountId, jobId);
      const now = this.now();
      let moved: boolean;
      if (requested === "Ready") {
        // The dialects' extension (D31): Ready on a job the user paused resumes it.
        if (pausedByUser) return this.resumeJob(accountId, jobId, reason);
        if (status === "Suspended") {
          moved = await this.store.transition(jobId, "Suspended", "Ready", now, { statusUpdateReason: reason });
        } else if (status === "Preparing" && options.allowReadyWhilePreparing) {
          moved = await this.store.markConfirmed(jobId, reason, now);
        } else {
          throw illegalChange(status, requested);
        }
      } else {
        if (!canRequestCancel(status)) throw illegalChange(status, requested);
        moved = await this.store.transition(jobId, status, "Cancelling", now, { statusUpdateReason: reason });
      }
      if (moved) {
        this.options.onChange?.("changed");
        return this.describeJob(accountId, jobId);
      }
      // The engine moved the job meanwhile; look again.
    }
    throw new DomainError("ServiceUnavailable", "The job is changing too quickly; try again.");
  }

  /**
   * Pauses the job for its user (D31): an Active job moves to Pausing (its running chunks finish, it leases no
   * new ones, the engine moves it on to Paused), a Ready one straight to Paused, and one already Pausing or Paused
   * for a higher-priority job (D13) is held where it stands. The job stays out of the queue until resumed.
   * Pausing a job the user paused already changes nothing; other statuses are refused (IllegalStatusChange).
   */
  async pauseJob(accountId: string, jobId: string, reason?: string): Promise<Job> {
    const shown = userReason(PAUSED_BY_USER, reason);
    for (let attempt = 0; attempt < MAX_STATUS_RETRIES; attempt++) {
      const job = await this.requireJob(accountId, jobId);
      const { status } = job;
      if (job.pausedByUser) return job;
      if (!canRequestPause(status)) throw illegalChange(status, "Paused");
      const now = this.now();
      const moved =
        status === "Active"
          ? await this.store.transition(jobId, "Active", "Pausing", now, { hold: true, statusUpdateReason: shown })
          : status === "Ready"
            ? await this.store.transition(jobId, "Ready", "Paused", now, { hold: true, statusUpdateReason: shown })
            : await this.store.setHeld(jobId, true, shown, now);
      if (moved) {
        this.options.onChange?.("changed");
        return this.describeJob(accountId, jobId);
      }
      // The engine moved the job meanwhile; look again.
    }
    throw new DomainError("ServiceUnavailable", "The job is changing too quickly; try again.");
  }

  /**
   * Lets go of a job its user paused (D31): it goes back to the queue at its priority, and the scheduler resumes
   * it (Paused -> Active) when it wins a slot. A job no user paused is refused (IllegalStatusChange).
   */
  async resumeJob(accountId: string, jobId: string, reason?: string): Promise<Job> {
    const job = await this.requireJob(accountId, jobId);
    if (!job.pausedByUser) {
      if (isTerminal(job.status)) throw illegalChange(job.status, "Active");
      throw new DomainError(
        "IllegalStatusChange",
        `Only a job paused by a user can be resumed; job ${jobId} is ${job.status}${
          job.status === "Pausing" || job.status === "Paused" ? " for a higher-priority job" : ""
        }.`,
      );
    }
    // Held only while Pausing or Paused, and only the user lets go: a false here means it was let go or cancelled.
    if (!(await this.store.setHeld(jobId, false, userReason(RESUMED_BY_USER, reason), this.now()))) {
      const current = await this.requireJob(accountId, jobId);
      if (current.pausedByUser) {
        throw new DomainError("ServiceUnavailable", "The job is changing too quickly; try again.");
      }
      if (isTerminal(current.status) || current.status === "Cancelling" || current.status === "Failing") {
        throw illegalChange(current.status, "Active");
      }
      return current; // resumed meanwhile by another request
    }
    this.options.onChange?.("changed");
    return this.describeJob(accountId, jobId);
  }

  async deleteJob(accountId: string, jobId: string): Promise<void> {
    const { status } = await this.requireJob(accountId, jobId);
    if (!isTerminal(status) || !(await this.store.deleteTerminalJob(jobId, this.now()))) {
      throw new DomainError(
        "InvalidRequest",
        `Only a finished job (Complete, Cancelled or Failed) can be deleted; job ${jobId} is ${status}.`,
      );
    }
  }

  async getJobTagging(accountId: string, jobId: string): Promise<Tag[]> {
    const { tags } = await this.requireJob(accountId, jobId);
    return [...(tags ?? [])];
  }

  async putJobTagging(accountId: string, jobId: string, tags: readonly Tag[]): Promise<void> {
    await this.requireJob(accountId, jobId);
    const max = this.options.maxJobTags ?? 50;
    if (tags.length > max) throw new DomainError("TooManyTags", `A job can have at most ${max} tags.`);
    await this.store.setTags(jobId, tags, this.now());
  }

  async deleteJobTagging(accountId: string, jobId: string): Promise<void> {
    await this.requireJob(accountId, jobId);
    await this.store.setTags(jobId, [], this.now());
  }

  async jobFailures(accountId: string, jobId: string): Promise<JobFailures> {
    await this.requireJob(accountId, jobId);
    const causes = await this.store.readFailureCauses(jobId);
    // The total is the causes' own sum: one read, so it always agrees with them (the job's failed counter is
    // recorded in the same transactions, so it is the same number once read after the same chunks).
    return { total: causes.reduce((n, c) => n + c.count, 0), causes };
  }

  /** Another account's job answers exactly like a missing one. */
  private async requireJob(accountId: string, jobId: string): Promise<Job> {
    const job = await this.store.getAccountJob(accountId, jobId, this.now());
    if (!job) throw noSuchJob(jobId);
    return job;
  }
}

/**
 * What a paused or resumed job shows as its status update reason: who did it, then the user's reason, at most 256
 * characters (the longest StatusUpdateReason the dialects document).
 */
function userReason(who: string, reason: string | undefined): string {
  return [...(reason ? `${who}: ${reason}` : who)].slice(0, 256).join("");
}

function illegalChange(from: JobStatus, requested: string): DomainError {
  if (isTerminal(from)) {
    return new DomainError("IllegalStatusChange", `The job has already finished (${from}).`);
  }
  return new DomainError("IllegalStatusChange", `Error with the job status change: ${from} to ${requested}.`);
}
