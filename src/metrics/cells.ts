/**
 * Where metrics are recorded: the cells of catalog.ts, added to. The main thread adds straight into its Totals,
 * which /metrics reads; a runner thread adds into a Tally, whose deltas it sends to the main thread now and then
 * (worker-bridge.ts), where they are folded into the Totals. Adding is an index and a float add; a Tally also
 * notes a cell the first time it changes since the last take, in a list allocated once, so taking the deltas
 * costs the cells that changed, not all of them.
 */
import { CELL_COUNT } from "./catalog.js";

/** Anything metrics are added to. */
export interface Cells {
  add(cell: number, value: number): void;
}

/** The cells a runner thread changed since the last take, and by how much: plain data, structured-cloned. */
export interface TallyDelta {
  readonly cells: Uint32Array;
  readonly values: Float64Array;
}

/** A runner thread's changes since the last take. */
export class Tally implements Cells {
  private readonly values: Float64Array;
  private readonly marked: Uint8Array;
  private readonly changed: Uint32Array;
  private count = 0;

  constructor(size = CELL_COUNT) {
    this.values = new Float64Array(size);
    this.marked = new Uint8Array(size);
    this.changed = new Uint32Array(size);
  }

  add(cell: number, value: number): void {
    if (this.marked[cell] === 0) {
      this.marked[cell] = 1;
      this.changed[this.count++] = cell;
    }
    this.values[cell] += value;
  }

  /** True when something was added since the last take. */
  get dirty(): boolean {
    return this.count > 0;
  }

  /** The changes since the last take, and a clean tally; undefined when nothing changed. */
  take(): TallyDelta | undefined {
    if (this.count === 0) return undefined;
    const cells = this.changed.slice(0, this.count);
    const values = new Float64Array(this.count);
    for (let i = 0; i < this.count; i++) {
      const cell = cells[i];
      values[i] = this.values[cell];
      this.values[cell] = 0;
      this.marked[cell] = 0;
    }
    this.count = 0;
    return { cells, values };
  }
}

/** The process's metrics: what its main thread added, and the deltas folded in from its runner threads. */
export class Totals implements Cells {
  readonly values: Float64Array;

  constructor(size = CELL_COUNT) {
    this.values = new Float64Array(size);
  }

  add(cell: number, value: number): void {
    this.values[cell] += value;
  }

  fold(delta: TallyDelta): void {
    const { cells, values } = delta;
    for (let i = 0; i < cells.length; i++) this.values[cells[i]] += values[i];
  }
}
