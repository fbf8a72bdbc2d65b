/**
 * Preparing: turn the job's manifest into counted chunks, then move the job to Ready, or Suspended when it
 * awaits confirmation. A manifest that cannot be used fails the job with a FailureReasons entry that says
 * why (D10).
 *
 * One preparer per source of tasks, in prepare/: CSV manifests (csv.ts: byte-range chunks of the manifest),
 * manifest generators (generator.ts: a filtered bucket listing) and inventory reports (inventory.ts); the
 * last two keep their tasks inline in their chunk rows (prepare/inline-chunk-writer.ts says why). This module
 * picks the source and does what is the same for all three: the claim, the record, the status move, and the
 * sorting of what went wrong into a job failure (errors.ts).
 *
 * Restart safety is the same for all three: chunks are written as they are cut, and a preparer that dies
 * leaves the job in Preparing; whoever claims it next deletes the partial chunks and starts over.
 */
import type { Job } from "../domain/job.js";
import type { JobStatus } from "../domain/status.js";
import { isStoreUnavailable } from "../store/errors.js";
import type { EngineDeps } from "./deps.js";
import { clipFailure, JobFailureError, jobFailureOf } from "./errors.js";
import { makeJobContext } from "./job-context.js";
import { holdClaim } from "./phase-claim.js";
import { CSV_FORMATS, prepareCsv } from "./prepare/csv.js";
import { prepareGenerated } from "./prepare/generator.js";
import { INVENTORY_FORMATS, prepareInventory } from "./prepare/inventory.js";
import type { PrepareOutcome, PrepareRun } from "./prepare/run.js";

const AWAITING_CONFIRMATION = "The job is awaiting confirmation (ConfirmationRequired).";

/**
 * Prepares the named job if it is New, or Preparing with nobody's live claim (its preparer died). For a job whose
 * id is known (tests, tools); the engine takes the next job in queue order with prepareNext.
 */
export async function prepareJob(deps: EngineDeps, jobId: string): Promise<void> {
  const { store } = deps;
  const state = await store.getJobState(jobId);
  if (!state) return;
  if (state.status === "New") {
    if (!(await store.transition(jobId, "New", "Preparing", deps.now()))) return;
  } else if (state.status !== "Preparing") {
    return;
  }
  if (!(await store.claimPhase(jobId, "Preparing", deps.owner, deps.now(), deps.options.leaseMs))) return;
  await prepareClaimed(deps, jobId, undefined, true);
}

/**
 * Takes the next jobs to prepare, in queue order: up to `limit` New jobs, or with `from` Preparing the first ones
 * whose preparer died. Taking them and their claims is one statement (store/jobs/claim-preparation.ts), which
 * hands back the whole jobs, so a New job costs no read before its manifest's. The engine then prepares each
 * with prepareClaimed.
 */
export function claimNext(deps: EngineDeps, from: "New" | "Preparing", limit: number): Promise<Job[]> {
  return deps.store.claimNextPreparations(from, deps.owner, deps.now(), deps.options.leaseMs, limit);
}

/**
 * Prepares a job whose Preparing claim this engine holds. `claimed` is the job as claimed, if at hand;
 * `restarted` says an earlier attempt may have left chunks. The status the job moved to (Ready, Suspended), or
 * undefined when this preparer did not move it on (it failed the job, or lost it).
 */
export async function prepareClaimed(
  deps: EngineDeps,
  jobId: string,
  claimed: Job | undefined,
  restarted: boolean,
): Promise<JobStatus | undefined> {
  const { store, log } = deps;
  const claim = holdClaim(deps, jobId, "Preparing");
  let finished = false;
  try {
    // A crashed earlier attempt may have left some chunks: start over.
    if (restarted) await store.deleteChunks(jobId);
    const job = claimed ?? (await store.getJob(jobId, deps.now()))!;
    const context = makeJobContext(job, deps.storage, deps.accounts);
    const outcome = await prepareFromSource({ deps, jobId, context, claim });
    if (outcome === "abandoned") return undefined;

    if (outcome.generated) await store.setGeneratedManifest(jobId, outcome.generated, deps.now());
    // The last chunks, counts, status and claim in one transaction (store/jobs/finish-preparation.ts).
    const next = await store.finishPreparation(
      jobId,
      deps.owner,
      {
        totalTasks: outcome.total,
        manifestEtag: outcome.etag,
        suspendedCause: AWAITING_CONFIRMATION,
        lastChunks: outcome.lastChunks,
      },
      deps.now(),
    );
    if (next === undefined) {
      // Cancelled meanwhile (the finaliser takes it from here, with every chunk and the counts), or taken over by
      // another preparer after this one's claim ran out (it counts again, and records its own chunks).
      const fresh = await store.getJobState(jobId);
      if (fresh && fresh.status !== "Preparing") {
        await store.insertChunks(jobId, outcome.lastChunks);
        await store.setPrepared(jobId, outcome.total, outcome.etag, deps.now());
      }
      return undefined;
    }
    finished = true;
    log.info({ jobId, tasks: outcome.total, chunks: outcome.chunks, status: next }, "job prepared");
    return next;
  } catch (e) {
    // The store being down says nothing about the job: leave it Preparing, and whoever claims it next (after
    // the claim expires) starts over.
    if (isStoreUnavailable(e)) throw e;
    let failure = jobFailureOf(e);
    if (!failure) {
      log.error({ err: e, jobId }, "preparing failed unexpectedly");
      failure = { code: "InternalError", reason: `Preparing the job failed: ${(e as Error).message}` };
    }
    await store.transition(jobId, "Preparing", "Failing", deps.now(), { failure: clipFailure(failure) });
    return undefined;
  } finally {
    if (finished) claim.stop();
    else await claim.release();
  }
}

/** The job's source of tasks prepares it: its generator, or its manifest by format. */
function prepareFromSource(run: PrepareRun): Promise<PrepareOutcome> {
  const { job } = run.context;
  if (job.manifestGenerator) return prepareGenerated(run, job.manifestGenerator);
  const format = job.manifest?.format;
  if (format === undefined) {
    throw new JobFailureError("InvalidManifest", "The job has neither a manifest nor a generator.");
  }
  if (INVENTORY_FORMATS.has(format)) return prepareInventory(run);
  if (CSV_FORMATS.has(format)) return prepareCsv(run);
  throw new JobFailureError("UnsupportedManifestFormat", `The manifest format ${format} is not supported.`);
}
