/**
 * How a runner thread's metrics reach /metrics, which the main thread serves (D40). A runner thread records into
 * its own Tally (cells.ts), free of messages. Its changes since the last take ride along with the messages it
 * sends anyway: each chunk's progress (at most every 250 ms, D30), result and error; when none went out for a
 * second and something changed, it sends them alone. A chunk's last changes thus reach the main thread before
 * its result does, so once a job's chunks are recorded its tasks are all counted. The main thread folds each
 * delta into its Totals, and keeps each thread's share of the gauges (tasks in flight): a thread that dies takes
 * its share with it, so the gauge does not keep tasks that will never end.
 */
import { CELL_COUNT, CELL_FAMILIES } from "./catalog.js";
import { Tally, type TallyDelta, type Totals } from "./cells.js";

/** 1 for the cells of gauges. */
const GAUGE_CELLS = new Uint8Array(CELL_COUNT);
for (const f of CELL_FAMILIES) if (f.type === "gauge") GAUGE_CELLS.fill(1, f.offset, f.offset + f.width * f.series);

/** The main thread's side: deltas from runner threads folded into the process's Totals. */
export class WorkerMetricsBridge {
  private readonly gaugeShares = new Map<object, Map<number, number>>();

  constructor(private readonly totals: Totals) {}

  /** Adds a delta `source` (a runner thread) sent. */
  fold(source: object, delta: TallyDelta): void {
    this.totals.fold(delta);
    const { cells, values } = delta;
    for (let i = 0; i < cells.length; i++) {
      if (GAUGE_CELLS[cells[i]] === 0) continue;
      let share = this.gaugeShares.get(source);
      if (!share) {
        share = new Map();
        this.gaugeShares.set(source, share);
      }
      share.set(cells[i], (share.get(cells[i]) ?? 0) + values[i]);
    }
  }

  /** `source` is gone (its thread exited): its share of the gauges is taken back. Counters keep what it added. */
  forget(source: object): void {
    const share = this.gaugeShares.get(source);
    if (!share) return;
    for (const [cell, value] of share) this.totals.add(cell, -value);
    this.gaugeShares.delete(source);
  }
}

/** How long a runner thread keeps changes that nothing else carried before it sends them alone. */
export const SEND_ALONE_AFTER_MS = 1000;

/** A runner thread's side: its Tally, and when its changes are due. */
export class WorkerMetrics {
  readonly tally = new Tally();
  private lastTaken = performance.now();

  /** The changes since the last take (to attach to a message), or undefined when there are none. */
  take(): TallyDelta | undefined {
    const delta = this.tally.take();
    if (delta) this.lastTaken = performance.now();
    return delta;
  }

  /**
   * Every `everyMs`, hands `send` the changes that no message carried for that long. Returns the stop function;
   * the timer never keeps the thread alive.
   */
  sendQuietChanges(send: (delta: TallyDelta) => void, everyMs = SEND_ALONE_AFTER_MS): () => void {
    const timer = setInterval(() => {
      if (!this.tally.dirty || performance.now() - this.lastTaken < everyMs) return;
      const delta = this.take();
      if (delta) send(delta);
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
