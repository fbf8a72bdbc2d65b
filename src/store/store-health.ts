/**
 * Whether the job store works right now, for /healthz: the outcome of the statements everything else ran
 * (recorded at the edge of the store, guarded-dialect.ts) and a probe of its own. A store that cannot write
 * (SQLite on a full disk) still answers reads, so a failed write keeps the store unhealthy until a write
 * succeeds again; a store that could not be reached is healthy again once any statement gets through.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { StoreFailure } from "./errors.js";

export class StoreHealth {
  private unreachable = false;
  private unwritable = false;
  private probing: Promise<boolean> | undefined;

  /** A statement failed because the store is unavailable. */
  failed(failure: StoreFailure): void {
    if (failure === "unwritable") this.unwritable = true;
    else this.unreachable = true;
  }

  /** A statement succeeded; `wrote` when it changed the store durably (a write outside a transaction, a commit). */
  succeeded(wrote: boolean): void {
    this.unreachable = false;
    if (wrote) this.unwritable = false;
  }

  /** No failure outstanding. */
  get ok(): boolean {
    return !this.unreachable && !this.unwritable;
  }

  /**
   * Runs `probe` (one at a time however many callers ask) and answers true when it succeeded within
   * `timeoutMs` and no failure is outstanding. A store that hangs answers false after `timeoutMs`.
   */
  async check(probe: () => Promise<void>, timeoutMs: number): Promise<boolean> {
    if (!this.probing) {
      this.probing = probe().then(
        () => true,
        () => false,
      );
      void this.probing.finally(() => {
        this.probing = undefined;
      });
    }
    const answered = await Promise.race([this.probing, sleep(timeoutMs, false, { ref: false })]);
    return answered && this.ok;
  }
}
