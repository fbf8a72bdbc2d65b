/**
 * Keeps a phase claim (preparing or finalising a job) alive while the work runs, so that another engine does
 * not take the job over from a live owner; if the job leaves the status, `lost` turns true and the work stops.
 */
import type { JobStatus } from "../domain/status.js";
import { isStoreUnavailable } from "../store/errors.js";
import type { EngineDeps } from "./deps.js";

export interface HeldClaim {
  /** True once a renewal found the claim gone (the job changed status, or another engine took it). */
  readonly lost: boolean;
  release(): Promise<void>;
  /** Stops renewing a claim the store already gave up (a statement that ended the phase released it too). */
  stop(): void;
}

export function holdClaim(deps: EngineDeps, jobId: string, status: JobStatus): HeldClaim {
  let lost = false;
  const timer = setInterval(
    () => {
      deps.store
        .claimPhase(jobId, status, deps.owner, deps.now(), deps.options.leaseMs)
        .then((held) => {
          if (!held) lost = true;
        })
        .catch((e) => deps.log.warn({ err: e, jobId }, "renewing a phase claim failed"));
    },
    Math.max(50, deps.options.leaseMs / 3),
  );
  timer.unref();
  return {
    get lost() {
      return lost;
    },
    stop() {
      clearInterval(timer);
    },
    async release() {
      clearInterval(timer);
      try {
        await deps.store.releasePhase(jobId, deps.owner);
      } catch (e) {
        // The store is down: the claim simply expires after leaseMs, and the phase is taken up again then.
        if (!isStoreUnavailable(e)) throw e;
        deps.log.warn({ err: e.cause ?? e, jobId }, "releasing a phase claim failed; it will expire");
      }
    },
  };
}
