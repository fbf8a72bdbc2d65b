/**
 * Checkpoints a SQLite database's write-ahead log from a thread of its own (D51).
 *
 * SQLite in WAL mode appends each commit to the log and, once the log passes `wal_autocheckpoint` pages, copies
 * the log back into the database file inside that commit, with an fsync. The job store's connection is
 * synchronous on the event loop, so such a commit stopped every request for up to 30 ms while a job ran (14 of
 * 844 commits took 5 ms or more in a latency run; with the copy moved out, 1 of 729). Here another connection,
 * on a worker thread, checkpoints every `intervalMs` in PASSIVE mode (it never waits for the owner's readers or
 * writers, nor they for it), so the owner's commits only append. The owner's own automatic checkpoint stays as a
 * backstop at `backstopPages`: if this thread ever stops, the log still cannot grow without bound.
 */
import { Worker } from "node:worker_threads";
import type { CheckpointThreadData } from "./wal-checkpoint-thread.js";

export interface WalCheckpointerOptions {
  /** How often the thread checkpoints. */
  readonly intervalMs?: number;
  /** The owner connection's wal_autocheckpoint while the thread runs (pages, 4 KiB each by default). */
  readonly backstopPages?: number;
}

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 250;
export const DEFAULT_BACKSTOP_PAGES = 10_000;

const FROM_SOURCE = import.meta.url.endsWith(".ts");
const ENTRY = new URL(FROM_SOURCE ? "./wal-checkpoint-thread.ts" : "./wal-checkpoint-thread.js", import.meta.url);
// Worker threads do not inherit tsx's module hooks on Node 20: from source, a boot module registers them first.
const BOOT = new URL("../engine/worker-boot.mjs", import.meta.url);

export class WalCheckpointer {
  private constructor(private readonly worker: Worker) {}

  /**
   * Starts checkpointing `file` and sets the owner's backstop through `setOwnerAutocheckpoint` (the owner's
   * `PRAGMA wal_autocheckpoint = n`).
   */
  static start(
    file: string,
    setOwnerAutocheckpoint: (pages: number) => void,
    options: WalCheckpointerOptions = {},
  ): WalCheckpointer {
    const data: CheckpointThreadData = { file, intervalMs: options.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS };
    const worker = FROM_SOURCE
      ? new Worker(BOOT, { workerData: { entry: ENTRY.href, ...data } })
      : new Worker(ENTRY, { workerData: data });
    // It must never keep a process alive, nor take it down: a thread that fails leaves the backstop working.
    worker.unref();
    worker.on("error", () => undefined);
    setOwnerAutocheckpoint(options.backstopPages ?? DEFAULT_BACKSTOP_PAGES);
    return new WalCheckpointer(worker);
  }

  /** Stops the thread after its connection is closed. */
  async close(): Promise<void> {
    const done = new Promise<void>((resolve) => {
      this.worker.once("exit", () => resolve());
      this.worker.on("message", (m: unknown) => m === "closed" && resolve());
    });
    this.worker.postMessage("close");
    await done;
    await this.worker.terminate();
  }
}
