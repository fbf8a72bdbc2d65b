/**
 * Group commit: concurrent callers' writes gathered into one transaction. The first batch starts at the end of
 * the event-loop turn that submitted it (setImmediate, no timer), so it holds everything the requests read in
 * that turn submitted; while one batch commits, new submissions queue, and when it ends, everything queued (up
 * to `maxBatch`) goes as the next batch. A lone caller waits one turn; under load, callers share one commit (one
 * lock wait, one WAL flush) instead of taking turns at it. The turn matters on SQLite, whose calls are
 * synchronous: a batch started at once would commit before the next request was even read, one commit each.
 * Why: docs/decisions.md D24.
 *
 * A batch that fails is retried one item at a time when `isolate(error)` says the error may belong to one item
 * (a constraint, a bad value), so one bad item fails alone; an error that says the store itself is down fails the
 * whole batch at once, since every item would only meet it again.
 */
interface Waiting<In, Out> {
  readonly item: In;
  readonly resolve: (out: Out) => void;
  readonly reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** The most items one batch takes. */
  readonly maxBatch: number;
  /** True when a failed batch should be retried item by item. */
  readonly isolate: (error: unknown) => boolean;
}

export class GroupCommit<In, Out> {
  private queue: Waiting<In, Out>[] = [];
  private committing = false;
  private scheduled = false;

  /** `commit` writes the batch in one transaction and answers for each item, in order. */
  constructor(
    private readonly commit: (items: readonly In[]) => Promise<readonly Out[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  /** Resolves with the item's outcome once the transaction that holds it has committed. */
  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.committing || this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        if (!this.committing) void this.drain();
      });
    });
  }

  private async drain(): Promise<void> {
    this.committing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.options.maxBatch);
        await this.commitBatch(batch);
      }
    } finally {
      this.committing = false;
    }
  }

  private async commitBatch(batch: readonly Waiting<In, Out>[]): Promise<void> {
    let outs: readonly Out[];
    try {
      outs = await this.commit(batch.map((w) => w.item));
    } catch (error) {
      if (batch.length === 1 || !this.options.isolate(error)) {
        for (const w of batch) w.reject(error);
        return;
      }
      for (const w of batch) await this.commitBatch([w]);
      return;
    }
    for (const [i, w] of batch.entries()) w.resolve(outs[i] as Out);
  }
}
