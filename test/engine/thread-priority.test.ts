/**
 * engine/thread-priority.ts on this (Linux) machine: a thread that lowers its priority changes its own nice value
 * only, as /proc shows it; the thread that started it keeps its own; 0 changes nothing; 19 is the floor.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { currentThreadId } from "../../src/engine/thread-priority.js";
import { niceOfThread as niceOf } from "../helpers/thread-nice.js";

const BOOT = new URL("../../src/engine/worker-boot.mjs", import.meta.url);
const CHILD = new URL("./thread-priority-child.ts", import.meta.url);

/** Runs lowerThisThreadPriority(by) in a new thread; its answer, its thread id, and its nice value while alive. */
async function inThread(by: number): Promise<{ answer: number | undefined; tid: number; niceSeen: number }> {
  const worker = new Worker(BOOT, { workerData: { entry: CHILD.href, by } });
  const reply = await new Promise<{ answer: number | undefined; tid: number }>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  const niceSeen = niceOf(reply.tid);
  await worker.terminate();
  return { ...reply, niceSeen };
}

describe("lowerThisThreadPriority", { skip: process.platform !== "linux" && "Linux only" }, () => {
  const main = currentThreadId();
  const base = niceOf(main as number);

  it("knows the calling thread's id: the main thread's is the process id", () => {
    assert.equal(main, process.pid);
  });

  it("lowers the calling thread alone, by the increment asked for", async () => {
    const { answer, tid, niceSeen } = await inThread(7);
    assert.notEqual(tid, process.pid, "a thread of its own");
    assert.equal(answer, Math.min(19, base + 7));
    assert.equal(niceSeen, Math.min(19, base + 7), "the kernel agrees");
    assert.equal(niceOf(process.pid), base, "the main thread keeps its priority");
  });

  it("changes nothing for 0, and stops at 19", async () => {
    const none = await inThread(0);
    assert.equal(none.answer, undefined);
    assert.equal(none.niceSeen, base);
    const most = await inThread(40);
    assert.equal(most.answer, 19);
    assert.equal(most.niceSeen, 19);
  });
});
