/**
 * What a manifest source (csv.ts, generator.ts, inventory.ts) is given to prepare a job, what it reports back,
 * and the one way it records chunks: only while the preparer still holds the job's Preparing claim.
 */
import type { Job } from "../../domain/job.js";
import type { ChunkPlanRow } from "../../store/chunks/insert-chunks.js";
import type { EngineDeps } from "../deps.js";
import type { JobContext } from "../job-context.js";
import type { HeldClaim } from "../phase-claim.js";

export interface PrepareRun {
  readonly deps: EngineDeps;
  readonly jobId: string;
  /** The job and the storage view its account and role allow. */
  readonly context: JobContext;
  readonly claim: HeldClaim;
}

/** A counted and chunked manifest. */
export interface Prepared {
  readonly total: number;
  readonly chunks: number;
  /** The ETag the chunks' reads are pinned to (the manifest object's); null when chunks carry their tasks. */
  readonly etag: string | null;
  readonly generated?: Job["generatedManifest"];
  /** The chunks cut since the last write, for the preparer to record as it finishes (store/jobs/finish-preparation.ts). */
  readonly lastChunks: readonly ChunkPlanRow[];
}

/** "abandoned": the claim was lost (the job was cancelled meanwhile); nothing more is recorded. */
export type PrepareOutcome = Prepared | "abandoned";

/** Thrown out of a manifest's stream once the claim is lost; each source turns it into "abandoned". */
export const ABANDONED = new Error("abandoned");

/** Records planned chunks while the claim holds; throws ABANDONED once it is lost. */
export async function recordChunks(run: PrepareRun, plans: readonly ChunkPlanRow[]): Promise<void> {
  if (run.claim.lost) throw ABANDONED;
  if (plans.length > 0) await run.deps.store.insertChunks(run.jobId, plans);
}
