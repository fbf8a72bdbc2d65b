/**
 * store/group-commit.ts: a lone submission commits at the end of its turn of the event loop, the submissions of
 * one turn go together, submissions made while a batch commits go together
 * as the next one (in order, at most maxBatch), each caller gets its own outcome, a failed batch is retried item
 * by item when the error may be one item's, and fails whole when it is not.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GroupCommit } from "../../src/store/group-commit.js";

/** A commit function that records its batches and can be held open until released. */
function recorder(fail?: (items: readonly number[]) => Error | undefined) {
  const batches: number[][] = [];
  let release: (() => void) | undefined;
  let held: Promise<void> | undefined;
  return {
    batches,
    hold() {
      held = new Promise((r) => {
        release = r;
      });
    },
    release() {
      release?.();
      held = undefined;
    },
    commit: async (items: readonly number[]) => {
      batches.push([...items]);
      if (held) await held;
      const error = fail?.(items);
      if (error) throw error;
      return items.map((n) => n * 10);
    },
  };
}

/** The end of this turn of the event loop: what setImmediate callbacks queued before it have run. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("GroupCommit", () => {
  it("commits a lone submission in a batch of its own, without waiting for a timer", async () => {
    const r = recorder();
    const group = new GroupCommit(r.commit, { maxBatch: 8, isolate: () => true });
    const outcome = group.submit(1);
    assert.deepEqual(r.batches, [], "not inside submit: the turn may bring more");
    await nextTurn();
    assert.deepEqual(r.batches, [[1]]);
    assert.equal(await outcome, 10);
  });

  it("gathers the submissions of one turn into one batch, even when nothing is committing", async () => {
    const r = recorder();
    const group = new GroupCommit(r.commit, { maxBatch: 8, isolate: () => true });
    assert.deepEqual(await Promise.all([1, 2, 3].map((n) => group.submit(n))), [10, 20, 30]);
    assert.deepEqual(r.batches, [[1, 2, 3]]);
    assert.equal(await group.submit(4), 40, "and the next turn's lone submission gets a batch of its own");
    assert.deepEqual(r.batches, [[1, 2, 3], [4]]);
  });

  it("gathers what arrives during a commit into the next batch, in order, at most maxBatch at a time", async () => {
    const r = recorder();
    const group = new GroupCommit(r.commit, { maxBatch: 3, isolate: () => true });
    r.hold();
    const first = group.submit(0);
    await nextTurn();
    const rest = [1, 2, 3, 4, 5].map((n) => group.submit(n));
    await nextTurn();
    assert.deepEqual(r.batches, [[0]], "the others wait for the batch in flight");
    r.release();
    assert.deepEqual(await Promise.all([first, ...rest]), [0, 10, 20, 30, 40, 50]);
    assert.deepEqual(r.batches, [[0], [1, 2, 3], [4, 5]]);
  });

  it("retries a failed batch item by item when the error may be one item's, so only that item fails", async () => {
    const r = recorder((items) => (items.includes(2) ? new Error("bad item 2") : undefined));
    const group = new GroupCommit(r.commit, { maxBatch: 8, isolate: () => true });
    r.hold();
    const first = group.submit(0);
    await nextTurn();
    const outcomes = Promise.allSettled([1, 2, 3].map((n) => group.submit(n)));
    r.release();
    assert.equal(await first, 0);
    const settled = await outcomes;
    assert.deepEqual(
      settled.map((s) => (s.status === "fulfilled" ? s.value : (s.reason as Error).message)),
      [10, "bad item 2", 30],
    );
    assert.deepEqual(r.batches, [[0], [1, 2, 3], [1], [2], [3]]);
  });

  it("fails the whole batch at once when the error is not an item's (the store is down)", async () => {
    const r = recorder(() => new Error("store down"));
    const group = new GroupCommit(r.commit, { maxBatch: 8, isolate: () => false });
    r.hold();
    const all = Promise.allSettled([1, 2, 3].map((n) => group.submit(n)));
    await nextTurn();
    r.release();
    assert.ok((await all).every((s) => s.status === "rejected" && (s.reason as Error).message === "store down"));
    assert.deepEqual(r.batches, [[1, 2, 3]], "no item-by-item retries");
  });

  it("keeps working after a failed batch", async () => {
    let down = true;
    const group = new GroupCommit(
      async (items: readonly number[]) => {
        if (down) throw new Error("down");
        return items.map((n) => n + 1);
      },
      { maxBatch: 8, isolate: () => false },
    );
    await assert.rejects(group.submit(1), /down/);
    down = false;
    assert.equal(await group.submit(1), 2);
  });
});
